import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesLeft } from '../support/fs.js';
import { type RawAnswer, rawRequest } from '../support/http.js';
import { FAST_ORCHESTRATION } from '../support/main-app.js';
import { makeVideo } from '../support/media.js';
import { canaries, type HostileFile, hostileCorpus } from './corpus.js';

/** Where each service takes an upload, called directly (not through Dapr). */
const TARGETS = [
  { app: 'main-app', path: '/api/videos' },
  { app: 'langscale', path: '/api/detect/upload' },
  { app: 'subtitle', path: '/api/subtitles/upload' },
  { app: 'animal-detect', path: '/api/animals/upload' },
  { app: 'downscale', path: '/api/downscale/upload' },
];
const BOUNDARY = 'vidp-hostile-boundary';

function multipart(
  parts: { name: string; filename?: string; contentType?: string; value: Buffer | string }[],
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}\r\n`,
      ),
      Buffer.from(p.value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/**
 * A corpus of hostile input, made by the test, sent to main-app and to each real processor
 * (Whisper, NanoDet, ffmpeg) directly: every case must get a clear 4xx (problem+json with a
 * reason; never a 5xx, never a hang), read no file outside the temp folders (the playlists
 * point at a secret file and at a FIFO that tells if anyone opens it), and store nothing.
 */
describe('hostile input, to main-app and to every processor', () => {
  let stack: Stack;
  let corpus: HostileFile[];
  let video: Buffer;
  let canary: Awaited<ReturnType<typeof canaries>>;
  let fifoOpened: Promise<boolean>;
  let released = false;
  /** What each service answered to each case, printed at the end (the README's table). */
  const seen = new Map<string, Record<string, number>>();
  const note = (what: string, app: string, status: number) => {
    seen.set(what, { ...seen.get(what), [app]: status });
  };
  const url = (app: string, path: string) => `${stack.get(app).app.url}${path}`;
  const keyFor = (app: string): Record<string, string> =>
    app === 'main-app' ? { 'x-api-key': TEST_API_KEY } : {};

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      apps: [
        {
          app: 'main-app',
          appId: 'main-app',
          env: { ...FAST_ORCHESTRATION, MAX_UPLOAD_BYTES: String(8 * 1024 * 1024) },
        },
        ...TARGETS.slice(1).map(({ app }) => ({ app, appId: app })),
      ],
    });
    canary = await canaries(join(stack.dir, 'outside'));
    // Opening a FIFO for writing waits for a reader: if this settles before we read it
    // ourselves at the end, a service opened the file a playlist named.
    fifoOpened = open(canary.fifo, 'w').then(async (handle) => {
      await handle.close();
      return !released;
    });
    corpus = await hostileCorpus(join(stack.dir, 'corpus'), canary);
    video = await readFile(makeVideo(join(stack.dir, 'corpus'), 'good.mp4', { seconds: 1, tone: 300 }));
    for (const { app } of TARGETS)
      await waitUntil(
        `${app} ready`,
        async () => (await fetch(url(app, '/ready'))).status === 200,
        120_000,
        250,
      );
  }, 240_000);
  afterAll(async () => {
    console.table(Object.fromEntries(seen));
    if (canary) {
      released = true;
      const reader = await open(canary.fifo, 'r').catch(() => undefined);
      await reader?.close();
    }
    await stack?.stop();
  });

  /** A clear refusal: a 4xx that is about the input (not a missing route), said as problem+json. */
  const expectClearRefusal = (res: RawAnswer, what: string) => {
    const text = res.body.toString();
    expect(res.status, `${what}: ${res.status} ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
    expect(res.status, `${what}: ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
    expect([404, 405], what).not.toContain(res.status);
    expect(String(res.headers['content-type']), what).toContain('application/problem+json');
    expect((JSON.parse(text) as { detail?: string }).detail?.length ?? 0, what).toBeGreaterThan(10);
    expect(text, `${what}: a local file's content in the answer`).not.toContain(canary.token);
  };
  const expectNothingLeft = async (app: string, what: string) => {
    expect(await filesLeft(join(stack.dir, 'tmp', app)), `${what}: temp files of ${app}`).toEqual([]);
  };
  const sendFile = (
    app: string,
    path: string,
    file: HostileFile,
    key: Record<string, string> = keyFor(app),
  ) =>
    rawRequest(url(app, path), {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...key },
      body: multipart([
        { name: 'file', filename: file.filename, contentType: file.contentType, value: file.bytes },
      ]),
      timeoutMs: 120_000,
    });

  for (const { app, path } of TARGETS) {
    describe(app, () => {
      it('refuses every file of the corpus clearly, reading no local file and keeping nothing', async () => {
        for (const file of corpus) {
          const what = `${app} ← ${file.name}`;
          const res = await sendFile(app, path, file);
          note(file.name, app, res.status);
          expectClearRefusal(res, what);
          await expectNothingLeft(app, what);
        }
      }, 600_000);

      it('refuses a multipart body of 10,000 parts', async () => {
        const parts = Array.from({ length: 10_000 }, (_, i) => ({ name: `f${i}`, value: 'x' }));
        const res = await rawRequest(url(app, path), {
          method: 'POST',
          headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...keyFor(app) },
          body: multipart([...parts, { name: 'file', filename: 'a.mp4', value: video }]),
          timeoutMs: 60_000,
        });
        note('10,000 multipart parts', app, res.status);
        expectClearRefusal(res, `${app} ← 10,000 parts`);
        expect(res.status).toBe(400);
        await expectNothingLeft(app, '10,000 parts');
      });

      it('refuses a header bomb before any route runs', async () => {
        const headers: Record<string, string> = { ...keyFor(app) };
        for (let i = 0; i < 300; i++) headers[`x-bomb-${i}`] = 'b'.repeat(200);
        const res = await rawRequest(url(app, path), {
          method: 'POST',
          headers,
          body: 'x',
          timeoutMs: 30_000,
        });
        note('60 KB of headers', app, res.status);
        expectClearRefusal(res, `${app} ← 60 KB of headers`);
        expect(res.status).toBe(431);
      });

      it('refuses file names that are paths, even on a good video', async () => {
        for (const filename of [
          '../../etc/passwd',
          '..\\..\\boot.ini',
          '/etc/shadow',
          'clip/../../x.mp4',
          '..',
        ]) {
          const res = await sendFile(app, path, {
            name: filename,
            filename,
            contentType: 'video/mp4',
            bytes: video,
          });
          note('file names that are paths', app, res.status);
          expectClearRefusal(res, `${app} ← file name ${filename}`);
          expect(res.status).toBe(400);
          await expectNothingLeft(app, filename);
        }
      });
    });
  }

  it('main-app refuses a missing or wrong API key, before reading the upload', async () => {
    const good: HostileFile = { name: 'good', filename: 'good.mp4', contentType: 'video/mp4', bytes: video };
    for (const key of [undefined, '', 'wrong', `${TEST_API_KEY}x`, TEST_API_KEY.slice(0, -1)]) {
      const res = await sendFile(
        'main-app',
        '/api/videos',
        good,
        key === undefined ? {} : { 'x-api-key': key },
      );
      note('missing or wrong API key', 'main-app', res.status);
      expectClearRefusal(res, `main-app ← API key ${JSON.stringify(key)}`);
      expect(res.status).toBe(401);
    }
  });

  it('main-app stored nothing, and no service opened the files the playlists named', async () => {
    const mongo = new MongoClient(`mongodb://127.0.0.1:${stack.mongo?.port}/vidp`);
    try {
      expect(await mongo.db().collection('videos').countDocuments()).toBe(0);
      expect(await mongo.db().collection('media.files').countDocuments()).toBe(0);
      expect(await mongo.db().collection('media.chunks').countDocuments()).toBe(0);
    } finally {
      await mongo.close();
    }
    // Still waiting for a reader: nobody opened it.
    expect(await Promise.race([fifoOpened, new Promise((r) => setTimeout(() => r('unopened'), 200))])).toBe(
      'unopened',
    );
  });
});
