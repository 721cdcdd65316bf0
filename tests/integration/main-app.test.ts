import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureApp, type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { MongoClient } from 'mongodb';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesLeft } from '../support/fs.js';
import { FAST_ORCHESTRATION } from '../support/main-app.js';
import { makeVideo } from '../support/media.js';

const PROCESSORS = ['langscale', 'subtitle', 'animal-detect', 'downscale'];
const MAX_UPLOAD = 3 * 1024 * 1024;

describe('main-app on the real stack: upload, orchestration, API', () => {
  let stack: Stack;
  let api: string;
  let mongo: MongoClient;
  let media: string;

  const headers = { 'x-api-key': TEST_API_KEY };
  const upload = async (
    path: string,
    fields: Record<string, string> = {},
    filename = 'clip.mp4',
    key = TEST_API_KEY,
  ) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new File([await readFile(path)], filename));
    return fetch(`${api}/api/videos`, { method: 'POST', body: form, headers: { 'x-api-key': key } });
  };
  const get = async (id: string) =>
    (await (await fetch(`${api}/api/videos/${id}`, { headers })).json()) as any;
  const stored = async () => ({
    videos: await mongo.db().collection('videos').countDocuments(),
    files: await mongo.db().collection('media.files').countDocuments(),
    chunks: await mongo.db().collection('media.chunks').countDocuments(),
  });
  /** Waits until no video is still processing, so counts of stored things stand still. */
  const settle = () =>
    waitUntil(
      'all videos to settle',
      async () => (await mongo.db().collection('videos').countDocuments({ status: 'processing' })) === 0,
      60_000,
      200,
    );
  const waitForStatus = (id: string, statuses: string[]) =>
    waitUntil(
      `video ${id} to reach ${statuses}`,
      async () => statuses.includes((await get(id)).status),
      60_000,
      250,
    );

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      apps: [
        {
          app: 'main-app',
          appId: 'main-app',
          env: {
            ...FAST_ORCHESTRATION,
            MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
            CORS_ORIGINS: 'http://localhost:3000',
          },
        },
        ...PROCESSORS.map((id) => ({
          app: fixtureApp('processor'),
          appId: id,
          env: { PROCESS_DELAY_MS: '300' },
        })),
      ],
    });
    api = stack.get('main-app').app.url;
    mongo = new MongoClient(`mongodb://127.0.0.1:${stack.mongo?.port}/vidp`);
    media = join(stack.dir, 'media');
    await mkdir(media);
    await waitUntil('main-app ready', async () => (await fetch(`${api}/ready`)).status === 200, 30_000, 200);
  });
  afterAll(async () => {
    await mongo?.close();
    await stack?.stop();
  });

  it('runs every task through Dapr, streams progress over SSE, and serves the results', async () => {
    const file = makeVideo(media, 'full.mp4', { seconds: 2 });
    const res = await upload(file, { title: 'Test pattern' });
    expect(res.status).toBe(201);
    const { video } = (await res.json()) as any;
    expect(res.headers.get('location')).toBe(`/api/videos/${video.id}`);
    expect(video.media.video).toMatchObject({ codec: 'h264', width: 160, height: 120 });
    expect(video.media.audio).toMatchObject({ codec: 'aac' });

    // An SSE client sees the snapshot, then events, then video.completed.
    const sse = await fetch(`${api}/api/videos/${video.id}/events`, { headers });
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const text = await sse.text(); // the server closes the stream after video.completed
    const events = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe('snapshot');
    expect(events).toContain('video.completed');
    // ...and a last snapshot with the final state, whatever order the topics arrived in.
    expect(events.at(-1)).toBe('snapshot');
    const last = JSON.parse([...text.matchAll(/^data: (.+)$/gm)].at(-1)?.[1] ?? '{}');
    expect(last.status).toBe('completed');
    expect(events).toContain('task.completed');
    expect(events).toContain('task.progress');

    const done = await get(video.id);
    expect(done.status).toBe('completed');
    for (const t of PROCESSORS) expect(done.tasks[t].status, t).toBe('done');
    expect(done.language).toBe('en');
    expect(done.species).toEqual(['dog']);
    // Each processor received the whole original, streamed.
    const original = await readFile(file);
    expect(done.tasks.langscale.result.bytes).toBe(original.length);
    // ...byte for byte: streamed from GridFS through both sidecars, nothing altered on the way.
    const sha = createHash('sha256').update(original).digest('hex');
    for (const t of PROCESSORS) expect(done.tasks[t].result.sha256, t).toBe(sha);
    expect(done.tasks.subtitle.result.fields).toEqual({ language: 'en' });

    const vtt = done.tasks.subtitle.outputs[0];
    const sub = await fetch(`${api}${vtt.url}`, { headers });
    expect(sub.headers.get('content-type')).toContain('text/vtt');
    expect(await sub.text()).toContain('WEBVTT');

    const range = await fetch(`${api}/api/videos/${video.id}/original`, {
      headers: { ...headers, range: 'bytes=10-19' },
    });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 10-19/${original.length}`);
    expect(Buffer.from(await range.arrayBuffer())).toEqual(original.subarray(10, 20));

    const list = (await (
      await fetch(`${api}/api/videos?species=dog&status=completed`, { headers })
    ).json()) as any;
    expect(list.items.map((v: any) => v.id)).toContain(video.id);
  });

  it('returns the existing video for a byte-identical re-upload', async () => {
    const file = makeVideo(media, 'dup.mp4', { seconds: 1, tone: 550 });
    const first = (await (await upload(file)).json()) as any;
    // The first upload's outputs land as its tasks end: count once nothing runs.
    await settle();
    const before = await stored();
    const again = await upload(file, {}, 'another-name.mp4');
    expect(again.status).toBe(200);
    const body = (await again.json()) as any;
    expect(body.duplicate).toBe(true);
    expect(body.video.id).toBe(first.video.id);
    expect(await stored()).toEqual(before);
  });

  it('skips the speech tasks, with the reason, for a video without audio', async () => {
    const file = makeVideo(media, 'silent.mp4', { seconds: 1, audio: false });
    const { video } = (await (await upload(file)).json()) as any;
    await waitForStatus(video.id, ['completed']);
    const v = await get(video.id);
    expect(v.tasks.langscale).toMatchObject({ status: 'skipped', reason: 'the video has no audio track' });
    expect(v.tasks.subtitle.status).toBe('skipped');
    expect(v.tasks.downscale.status).toBe('done');
  });

  it('deletes a video and every file it stored', async () => {
    const file = makeVideo(media, 'del.mp4', { seconds: 1, tone: 660 });
    const { video } = (await (await upload(file, { tasks: 'downscale,animal-detect' })).json()) as any;
    await waitForStatus(video.id, ['completed']);
    const files = mongo.db().collection('media.files');
    expect(await files.countDocuments({ 'metadata.videoId': video.id })).toBe(3);
    const del = await fetch(`${api}/api/videos/${video.id}`, { method: 'DELETE', headers });
    expect(del.status).toBe(204);
    expect(await files.countDocuments({ 'metadata.videoId': video.id })).toBe(0);
    expect((await fetch(`${api}/api/videos/${video.id}`, { headers })).status).toBe(404);
  });

  it('cancels a video while it is processing', async () => {
    const file = makeVideo(media, 'cancel.mp4', { seconds: 1, tone: 770 });
    const { video } = (await (await upload(file)).json()) as any;
    const res = await fetch(`${api}/api/videos/${video.id}/cancel`, { method: 'POST', headers });
    expect(res.status).toBe(200);
    const v = await get(video.id);
    expect(v.status).toBe('cancelled');
    // Nothing runs on afterwards, and a second cancel is a clear conflict.
    await new Promise((r) => setTimeout(r, 1500));
    const later = await get(video.id);
    for (const t of PROCESSORS) expect(['cancelled', 'done']).toContain(later.tasks[t].status);
    expect((await fetch(`${api}/api/videos/${video.id}/cancel`, { method: 'POST', headers })).status).toBe(
      409,
    );
  });

  describe('refuses bad input with a clear 4xx and stores nothing', () => {
    const expectRefused = async (res: Response, status: number, detail: RegExp) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as any).detail).toMatch(detail);
    };
    let before: Awaited<ReturnType<typeof stored>>;
    beforeAll(async () => {
      await settle();
      before = await stored();
    });

    it('an empty file', async () => {
      const p = join(media, 'empty.mp4');
      await writeFile(p, '');
      await expectRefused(await upload(p), 400, /empty/);
    });
    it('a text file named .mp4', async () => {
      const p = join(media, 'text.mp4');
      await writeFile(p, 'hello, this is not a video\n'.repeat(20));
      await expectRefused(await upload(p), 415, /not a readable media file|not accepted/i);
    });
    it('a truncated MP4', async () => {
      const whole = await readFile(makeVideo(media, 'whole.mp4', { seconds: 2, tone: 880 }));
      const p = join(media, 'truncated.mp4');
      await writeFile(p, whole.subarray(0, Math.floor(whole.length / 2)));
      await expectRefused(await upload(p), 415, /./);
    });
    it('an HLS playlist disguised as a video', async () => {
      const p = join(media, 'playlist.mp4');
      await writeFile(
        p,
        '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
      );
      await expectRefused(await upload(p), 415, /./);
    });
    it('an ffconcat file disguised as a video', async () => {
      const p = join(media, 'concat.mp4');
      await writeFile(p, "ffconcat version 1.0\nfile '/etc/passwd'\n");
      await expectRefused(await upload(p), 415, /./);
    });
    it('a file over the limit', async () => {
      const p = join(media, 'big.mp4');
      await writeFile(p, Buffer.alloc(MAX_UPLOAD + 1024));
      await expectRefused(await upload(p), 413, /larger than/);
    });
    it('a multipart body without a file', async () => {
      const form = new FormData();
      form.append('title', 'no file here');
      await expectRefused(
        await fetch(`${api}/api/videos`, { method: 'POST', body: form, headers }),
        400,
        /field named "file"/,
      );
    });
    it('a path-traversal file name', async () => {
      await expectRefused(
        await upload(join(media, 'full.mp4'), {}, '../../etc/passwd.mp4'),
        400,
        /plain name/,
      );
    });
    it('unknown task names', async () => {
      await expectRefused(
        await upload(join(media, 'full.mp4'), { tasks: 'downscale,mine-bitcoin' }),
        400,
        /Unknown task.*mine-bitcoin/,
      );
    });
    it('an invalid language code', async () => {
      await expectRefused(await upload(join(media, 'full.mp4'), { language: 'english' }), 400, /ISO 639-1/);
    });
    it('a missing or wrong API key', async () => {
      const noKey = await fetch(`${api}/api/videos`, { method: 'POST', body: new FormData() });
      await expectRefused(noKey, 401, /X-API-Key/);
      await expectRefused(
        await upload(join(media, 'full.mp4'), {}, 'clip.mp4', 'wrong-key-wrong-key-wrong'),
        401,
        /not valid/,
      );
      expect((await fetch(`${api}/api/videos`)).status).toBe(401);
    });
    it('...and none of them left a record, a stored file or a temp file', async () => {
      expect(await stored()).toEqual(before);
      expect(await filesLeft(join(stack.dir, 'tmp', 'main-app'))).toEqual([]);
      expect((await fetch(`${api}/health`)).status).toBe(200);
    });
  });

  describe('resumable uploads (tus)', () => {
    const tusUpload = (
      data: Buffer,
      metadata: Record<string, string>,
      opts: Partial<tus.UploadOptions> = {},
    ) =>
      new tus.Upload(data, {
        endpoint: `${api}/api/uploads`,
        headers,
        chunkSize: 64 * 1024,
        metadata,
        retryDelays: [],
        ...opts,
      });
    const finish = (u: tus.Upload) =>
      new Promise<{ status: number; body: string; videoId: string | null }>((resolve, reject) => {
        u.options.onError = reject;
        u.options.onAfterResponse = (_req, res) => {
          if (res.getHeader('Vidp-Video-Id') || res.getStatus() >= 400) {
            resolve({
              status: res.getStatus(),
              body: res.getBody(),
              videoId: res.getHeader('Vidp-Video-Id') ?? null,
            });
          }
        };
        u.start();
      });

    it('resumes an interrupted upload from its offset and ends in one video, once', async () => {
      const data = await readFile(makeVideo(media, 'tus.mp4', { seconds: 3, size: '320x240', tone: 990 }));
      let aborted = false;
      const first = tusUpload(data, { filename: 'tus.mp4', title: 'Resumed' });
      await new Promise<void>((resolve, reject) => {
        first.options.onError = reject;
        first.options.onChunkComplete = (_chunk, sent) => {
          // Cut the connection after two chunks, like a dropped network.
          if (sent >= 128 * 1024 && !aborted) {
            aborted = true;
            void first.abort().then(resolve);
          }
        };
        first.start();
      });
      const url = first.url as string;
      const head = await fetch(new URL(url, api), {
        method: 'HEAD',
        headers: { ...headers, 'tus-resumable': '1.0.0' },
      });
      const offset = Number(head.headers.get('upload-offset'));
      expect(offset).toBeGreaterThanOrEqual(128 * 1024);
      expect(offset).toBeLessThan(data.length);

      const resumed = await finish(
        tusUpload(
          data,
          { filename: 'tus.mp4', title: 'Resumed' },
          { uploadUrl: new URL(url, api).toString() },
        ),
      );
      expect(resumed.status).toBe(200);
      expect(resumed.videoId).toMatch(/^[0-9a-f-]{36}$/);
      const v = await get(resumed.videoId as string);
      expect(v.title).toBe('Resumed');
      expect(v.sha256).toBe(createHash('sha256').update(data).digest('hex'));

      // Sending the same file again completes to the same video.
      const again = await finish(tusUpload(data, { filename: 'tus-again.mp4' }));
      expect(again.videoId).toBe(resumed.videoId);
      expect(JSON.parse(again.body).duplicate).toBe(true);
    });

    it('refuses a finished upload that is not media, and keeps nothing', async () => {
      await settle();
      const before = await stored();
      const done = await finish(
        tusUpload(Buffer.from('#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n'), { filename: 'x.mp4' }),
      );
      expect(done.status).toBe(415);
      expect(await stored()).toEqual(before);
      const left = await filesLeft(join(stack.dir, 'tmp', 'main-app'));
      expect(left, left.join(', ')).toEqual([]);
    });

    it('refuses bad metadata before any byte is sent', async () => {
      const refused = await finish(tusUpload(Buffer.alloc(10), { filename: 'a.mp4', tasks: 'nope' }));
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body).detail).toMatch(/Unknown task.*nope/);
    });
  });

  it('lists videos page by page, newest or oldest first', async () => {
    const page = async (q: string) =>
      (await (await fetch(`${api}/api/videos?${q}`, { headers })).json()) as any;
    const all = await page('limit=100');
    expect(all.total).toBeGreaterThanOrEqual(3);
    const first = await page('limit=1');
    const second = await page('limit=1&offset=1');
    expect(first.items).toHaveLength(1);
    expect(second.items[0].id).not.toBe(first.items[0].id);
    expect(first.items[0].id).toBe(all.items[0].id);
    const oldest = await page('limit=1&sort=oldest');
    expect(oldest.items[0].id).toBe(all.items.at(-1).id);
    expect((await fetch(`${api}/api/videos?limit=1000`, { headers })).status).toBe(400);
    // An emptied search box is no filter; a search without a word finds nothing; an overlong one is refused.
    expect((await page('limit=100&q=%20')).total).toBe(all.total);
    expect((await page('limit=100&q=%3F%21')).total).toBe(0);
    const long = await fetch(`${api}/api/videos?q=${'a'.repeat(201)}`, { headers });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { detail: string }).detail).toMatch(/^q: /);
  });

  it('answers CORS only for the configured origin', async () => {
    const allowed = await fetch(`${api}/api/videos`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await fetch(`${api}/api/videos`, {
      headers: { ...headers, origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves its OpenAPI document', async () => {
    const doc = (await (await fetch(`${api}/api/openapi.json`)).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/videos/{id}/events');
  });
});
