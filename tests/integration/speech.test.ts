// langscale and subtitle end to end: real Whisper weights (multilingual base, whisper.cpp), real
// human speech muxed into video containers, real daprd sidecars in front of both apps.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Stack, startStack } from '@vidp/local-stack';
import { filePart, invokeMultipart, type Part, Sidecar } from '@vidp/service-kit';
import { franc } from 'franc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wordErrorRate } from '../../packages/speech/src/wer.js';
import * as fx from '../../packages/speech/test/fixtures.js';
import { cuesInBrowser } from '../support/browser.js';
import { filesLeft } from '../support/fs.js';

const MiB = 1024 * 1024;
/** Whisper on a 2-core machine shared with other work: a transcript can take minutes. */
const BUDGET_MS = 600_000;
const FRENCH =
  "Bonjour à tous. Je m'appelle Pierre et j'habite à Paris depuis dix ans. Aujourd'hui il fait très beau, et nous allons au marché acheter du pain et du fromage.";

describe('langscale and subtitle through Dapr (real Whisper, real speech)', () => {
  let stack: Stack;
  let client: Sidecar;
  let dir: string;
  let jfk: string;
  let libri: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidp-speech-it-'));
    jfk = fx.speechVideo(dir, 'jfk.mp4', [fx.JFK_WAV]);
    libri = fx.speechVideo(
      dir,
      'librivox.mkv',
      fx.librivox().map((u) => u.wav),
    );
    const env = { MAX_UPLOAD_BYTES: String(16 * MiB), WHISPER_MODEL: fx.MODEL_PATH };
    stack = await startStack({
      apps: [
        { app: 'langscale', appId: 'langscale', env },
        { app: 'subtitle', appId: 'subtitle', env },
      ],
    });
    const sidecar = await stack.startSidecar('client');
    client = new Sidecar({ host: '127.0.0.1', httpPort: sidecar.httpPort });
    // Ready once the model is loaded (each app loads it once, at start).
    for (const id of ['langscale', 'subtitle']) {
      const url = stack.get(id).app.url;
      const deadline = Date.now() + BUDGET_MS / 2;
      while ((await fetch(`${url}/ready`).then((r) => r.status)) !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }, BUDGET_MS);
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const parts = async (file: string | undefined, fields: Record<string, string>): Promise<Part[]> => [
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    ...(file ? [await filePart('file', file, 'video/mp4')] : []),
  ];
  const viaDapr = async (
    app: string,
    path: string,
    file: string | undefined,
    fields: Record<string, string> = {},
    headers: Record<string, string> = {},
  ) => invokeMultipart(client, app, path, await parts(file, fields), { headers });
  /** Refusals go straight to the app, so the platform's circuit breaker never counts them. */
  const direct = async (
    app: string,
    path: string,
    file: string | undefined,
    fields: Record<string, string> = {},
  ) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    if (file)
      form.append(
        'file',
        new Blob([await import('node:fs/promises').then((f) => f.readFile(file))]),
        'upload',
      );
    return fetch(`${stack.get(app).app.url}/${path}`, { method: 'POST', body: form });
  };
  const expectProblem = async (res: Response, status: number, detail: RegExp) => {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(text).detail).toMatch(detail);
    expect(text).not.toContain(dir);
  };

  it(
    'langscale: English with high confidence on real speech in an MP4, every language when asked',
    async () => {
      const res = await viaDapr('langscale', 'api/detect/upload', jfk, {
        duration: '30',
        test_all_languages: 'true',
      });
      const body = (await res.json()) as any;
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ speech: true, language: 'en', language_name: 'English' });
      // The model's probability (Whisper's language identification), not a share of votes.
      expect(body.confidence_source).toBe('whisper');
      expect(body.confidence).toBeGreaterThanOrEqual(0.9);
      expect(body.windows.length).toBeGreaterThanOrEqual(1);
      expect(body.windows[0].text).toMatch(/ask not what your country can do for you/i);
      expect(body.windows[0].no_speech).toBeLessThan(0.6);
      expect(body.cross_check).toMatchObject({ method: 'franc', language: 'en', agrees: true });
      expect(body.all_languages).toHaveLength(99);
      expect(body.all_languages[0]).toMatchObject({ code: 'en', name: 'English' });
      const probs = body.all_languages.map((l: { probability: number }) => l.probability);
      expect([...probs].sort((a, b) => b - a)).toEqual(probs);
      expect(probs.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 3);
      expect(body.all_languages[0].probability).toBeCloseTo(body.confidence, 4);
      expect(body.alternatives[0].probability).toBeLessThan(0.1);
      expect(body.engine).toMatchObject({
        name: 'whisper.cpp',
        binding: expect.stringMatching(/^vidp-whisper/),
      });
    },
    BUDGET_MS,
  );

  it(
    'langscale: several windows over longer speech; the first ones decide when they agree',
    async () => {
      const res = await viaDapr('langscale', 'api/detect/upload', libri, { duration: '30' });
      const body = (await res.json()) as any;
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ speech: true, language: 'en' });
      expect(body.windows_planned).toBeGreaterThanOrEqual(2);
      expect(body.confidence).toBeGreaterThanOrEqual(0.9);
      expect(body.windows.length).toBeGreaterThanOrEqual(2);
      // Spread over the speech: the first and the last window are looked at first.
      expect(body.windows[0].start).toBeLessThan(2);
      expect(body.windows.at(-1).end).toBeGreaterThan(body.media_seconds - 3);
      expect(body.windows.filter((w: { text: string }) => w.text).length).toBe(1);
    },
    BUDGET_MS,
  );

  it(
    'subtitle: translate=true turns French speech into English subtitles',
    async () => {
      // Synthetic French (espeak-ng): poor speech, so only the language of the output is held.
      const wav = join(dir, 'fr.wav');
      execFileSync('espeak-ng', ['-v', 'fr', '-s', '140', '-w', wav, FRENCH]);
      const video = fx.speechVideo(dir, 'fr.mp4', [wav]);
      const plain = await (
        await viaDapr('subtitle', 'api/subtitles/upload', video, { language: 'fr' })
      ).formData();
      const translated = await (
        await viaDapr('subtitle', 'api/subtitles/upload', video, { language: 'fr', translate: 'true' })
      ).formData();
      const text = async (form: FormData) =>
        fx
          .parseWebVtt(await (form.get('subtitles.vtt') as File).text())
          .cues.map((c) => c.text)
          .join(' ');
      expect(JSON.parse(translated.get('result') as string)).toMatchObject({
        translated: true,
        subtitle_language: 'en',
      });
      expect(franc(await text(plain))).toBe('fra');
      expect(franc(await text(translated))).toBe('eng');
    },
    BUDGET_MS,
  );

  it(
    'subtitle: readable WebVTT and SRT from LibriVox speech in an MKV, word error rate ≤ 10 %',
    async () => {
      const res = await viaDapr(
        'subtitle',
        'api/subtitles/upload',
        libri,
        { language: 'en' },
        { 'x-vidp-video-id': 'video-s', 'x-vidp-task-id': 'task-s' },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
      const form = await res.formData();
      const result = JSON.parse(form.get('result') as string);
      expect(result).toMatchObject({
        speech: true,
        language: 'en',
        subtitle_language: 'en',
        translated: false,
      });
      const vtt = await (form.get('subtitles.vtt') as File).text();
      const srt = await (form.get('subtitles.srt') as File).text();
      const parsed = fx.parseWebVtt(vtt);
      expect(parsed.errors).toEqual([]);
      const srtCues = fx.validateSrt(srt);
      expect(srtCues).toHaveLength(parsed.cues.length);
      expect(result.cues).toBe(parsed.cues.length);
      for (const [i, c] of parsed.cues.entries()) {
        const lines = c.text.split('\n');
        expect(lines.length).toBeLessThanOrEqual(2);
        for (const l of lines) expect(l.length).toBeLessThanOrEqual(42);
        expect(c.endTime - c.startTime).toBeLessThanOrEqual(7);
        const next = parsed.cues[i + 1];
        if (next) expect(next.startTime).toBeGreaterThanOrEqual(c.endTime);
      }
      const reference = fx
        .librivox()
        .map((u) => u.text)
        .join(' ');
      const hypothesis = parsed.cues.map((c) => c.text.replace(/\n/g, ' ')).join(' ');
      const wer = wordErrorRate(reference, hypothesis);
      console.log(`LibriVox subtitles word error rate: ${(wer * 100).toFixed(1)} %`);
      expect(wer).toBeLessThanOrEqual(0.1);
      await writeFile(join(dir, 'out.vtt'), vtt);
      // A viewer's browser takes the file as a <track>: real Chromium parses the same cues.
      const inBrowser = await cuesInBrowser(vtt, Math.ceil(parsed.cues.at(-1)?.endTime ?? 5) + 1);
      expect(inBrowser.map((c) => c.text)).toEqual(parsed.cues.map((c) => c.text));
      expect(inBrowser.map((c) => c.start)).toEqual(parsed.cues.map((c) => c.startTime));
      await expect(cuesInBrowser('this is not WebVTT')).rejects.toThrow(/refused the WebVTT track/);
      // Progress went out on pub/sub for main-app, ending at 1; the temp folders are gone.
      const events = execFileSync('redis-cli', [
        '-p',
        String(stack.redis.port),
        'XRANGE',
        'task.progress',
        '-',
        '+',
      ])
        .toString()
        .split('\n')
        .filter((l) => l.includes('"task-s"'));
      expect(events.some((e) => e.includes('"progress":1') && e.includes('"subtitle"'))).toBe(true);
      const deadline = Date.now() + 5000;
      let left = await filesLeft(join(stack.dir, 'tmp'));
      while (left.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        left = await filesLeft(join(stack.dir, 'tmp'));
      }
      expect(left).toEqual([]);
    },
    BUDGET_MS,
  );

  it(
    'a silent video and a music-only video give "no speech", and empty subtitles',
    async () => {
      for (const file of [fx.silentVideo(dir), fx.musicVideo(dir)]) {
        const res = await viaDapr('langscale', 'api/detect/upload', file);
        const body = (await res.json()) as any;
        expect(res.status).toBe(200);
        expect(body).toMatchObject({ speech: false, language: null, confidence: 0 });
        expect(body.reason).toMatch(/no voice activity|no words/);
      }
      const res = await viaDapr('subtitle', 'api/subtitles/upload', fx.silentVideo(dir));
      expect(res.status).toBe(200);
      const form = await res.formData();
      expect(JSON.parse(form.get('result') as string)).toMatchObject({ speech: false, cues: 0 });
      expect(fx.parseWebVtt(await (form.get('subtitles.vtt') as File).text()).errors).toEqual([]);
    },
    BUDGET_MS,
  );

  it(
    'bad input answers a clear 4xx (problem+json)',
    async () => {
      const noAudio = fx.noAudioVideo(dir);
      const corrupt = fx.corruptAudio(dir);
      const text = join(dir, 'notes.txt');
      await writeFile(text, 'not a video at all\n'.repeat(20));
      const detect = 'api/detect/upload';
      const subs = 'api/subtitles/upload';
      await expectProblem(await direct('langscale', detect, noAudio), 422, /no audio stream/);
      await expectProblem(await direct('subtitle', subs, noAudio), 422, /no audio stream/);
      await expectProblem(
        await direct('langscale', detect, corrupt),
        422,
        /could not be decoded|no sound|audio/,
      );
      await expectProblem(await direct('langscale', detect, text), 415, /not|accepted|readable/i);
      await expectProblem(
        await direct('langscale', detect, jfk, { duration: 'abc' }),
        400,
        /duration must be a number/,
      );
      await expectProblem(await direct('langscale', detect, jfk, { duration: '0' }), 400, /at least 1/);
      await expectProblem(await direct('langscale', detect, jfk, { duration: '9999' }), 400, /at most 600/);
      await expectProblem(
        await direct('langscale', detect, jfk, { test_all_languages: 'maybe' }),
        400,
        /true/,
      );
      await expectProblem(await direct('subtitle', subs, jfk, { language: 'xx' }), 400, /language code/);
      await expectProblem(await direct('subtitle', subs, jfk, { translate: 'yes' }), 400, /translate/);
      await expectProblem(
        await direct('langscale', detect, undefined, { duration: '30' }),
        400,
        /field named "file"/,
      );
    },
    BUDGET_MS,
  );
});
