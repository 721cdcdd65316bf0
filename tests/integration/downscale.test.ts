// The downscale service end to end: real ffmpeg, a real daprd in front of the app, a caller
// sidecar, Redis for the progress events. Every refusal is problem+json and leaves no temp file.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Stack, startStack } from '@vidp/local-stack';
import { probeMedia } from '@vidp/media';
import { filePart, invokeMultipart, type Part, Sidecar } from '@vidp/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fx from '../../apps/downscale/test/fixtures.js';
import { filesLeft } from '../support/fs.js';

const MiB = 1024 * 1024;

describe('downscale through Dapr (real ffmpeg, real daprd)', () => {
  let stack: Stack;
  let client: Sidecar;
  let dir: string;
  let tmp: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidp-downscale-it-'));
    stack = await startStack({
      apps: [
        {
          app: 'downscale',
          appId: 'downscale',
          env: { MAX_DURATION_SEC: '30', MAX_SOURCE_DIMENSION: '1000', MAX_UPLOAD_BYTES: String(8 * MiB) },
        },
      ],
    });
    const sidecar = await stack.startSidecar('client');
    client = new Sidecar({ host: '127.0.0.1', httpPort: sidecar.httpPort });
    tmp = join(stack.dir, 'tmp');
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const upload = async (
    file: string | undefined,
    fields: Record<string, string> = {},
    opts: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ) => {
    const parts: Part[] = [
      ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      ...(file ? [await filePart('file', file, 'video/mp4')] : []),
    ];
    return invokeMultipart(client, 'downscale', 'api/downscale/upload', parts, opts);
  };

  /** Temp folders go right after the answer's last byte: give the service a moment. */
  const noFilesLeft = async (timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    let left = await filesLeft(tmp);
    while (left.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      left = await filesLeft(tmp);
    }
    return left;
  };

  const expectProblem = async (res: Response, status: number, detail: RegExp) => {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = JSON.parse(text);
    expect(body).toMatchObject({ status });
    expect(body.detail).toMatch(detail);
    expect(text).not.toContain(fx.SECRET);
    // Never an internal path in an answer.
    expect(text).not.toContain(stack.dir);
    expect(await noFilesLeft()).toEqual([]);
    await resetBreaker();
    return body;
  };

  // The platform's circuit breaker (per target method) counts every non-2xx answer, 4xx
  // included, and opens after 6 in a row: a small successful job after each deliberate
  // refusal keeps it closed for the next test.
  let tiny: string | undefined;
  const resetBreaker = async () => {
    tiny ??= fx.landscape(dir, 'tiny.mp4', 1).path;
    const res = await upload(tiny, { heights: '120' });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  };

  it('is ready once its sidecar answers and ffmpeg and ffprobe run', async () => {
    const res = await fetch(`${stack.get('downscale').app.url}/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: Record<string, string> };
    expect(body.checks).toMatchObject({ 'dapr-sidecar': 'ok', ffmpeg: 'ok' });
  });

  it('answers a streamed multipart body: a JSON result and every file, all playable', async () => {
    const src = fx.landscape(dir);
    const res = await upload(
      src.path,
      { heights: '360,240', hls: 'true' },
      { headers: { 'x-vidp-video-id': 'video-1', 'x-vidp-task-id': 'task-1' } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    const form = await res.formData();
    const result = JSON.parse(form.get('result') as string);
    expect(result.source).toMatchObject({
      width: 640,
      height: 360,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(result.renditions.map((r: any) => [r.rung, r.width, r.height])).toEqual([
      [360, 640, 360],
      [240, 426, 240],
    ]);
    const refs = [
      ...result.renditions,
      result.poster,
      result.storyboard,
      result.thumbnails,
      result.hls.master,
      ...result.hls.variants.flatMap((v: any) => [v.playlist, v.media]),
    ];
    expect(new Set([...form.keys()])).toEqual(new Set(['result', ...refs.map((r: any) => r.part)]));
    for (const ref of refs) {
      const blob = form.get(ref.part) as File;
      expect(blob.size, ref.part).toBe(ref.sizeBytes);
      expect(blob.name).toBe(ref.filename);
      const path = join(dir, `out-${ref.filename}`);
      await writeFile(path, Buffer.from(await blob.arrayBuffer()));
      if (ref.filename.endsWith('.mp4')) {
        const info = await probeMedia(path);
        expect(Math.abs(info.durationSec - src.durationSec)).toBeLessThanOrEqual(0.1);
        expect(info.audio?.codec).toBe('aac');
      }
    }
    expect(await noFilesLeft()).toEqual([]);
    // Progress went out on pub/sub (Redis streams) for main-app, ending at 1.
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
      .filter((l) => l.includes('"task-1"'));
    expect(events.length).toBeGreaterThan(0);
    expect(events.some((e) => e.includes('"progress":1') && e.includes('"downscale"'))).toBe(true);
  });

  it('refuses an HLS playlist named .mp4 (415) and no local file content appears', async () => {
    await expectProblem(await upload(await fx.hlsPlaylistAttack(dir)), 415, /not accepted/);
  });

  it('refuses an ffconcat script named .mp4 (415)', async () => {
    const target = fx.landscape(dir, 'target.mp4').path;
    await expectProblem(await upload(await fx.concatAttack(dir, target)), 415, /not accepted|Not a readable/);
  });

  it('refuses a text file (415) and an audio-only file (422)', async () => {
    const text = join(dir, 'notes.mp4');
    await fx.writeText(text, 'not a video\n');
    await expectProblem(await upload(text), 415, /Not a readable media file|not accepted/);
    const body = await expectProblem(await upload(fx.audioOnly(dir)), 422, /no video stream/);
    expect(body.reason).toBe('no-video');
  });

  it('refuses sources over the duration and resolution limits (422)', async () => {
    const long = fx.landscape(dir, 'long.mp4', 31);
    expect((await expectProblem(await upload(long.path), 422, /at most 30 s/)).reason).toBe('too-long');
    const wide = join(dir, 'wide.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'color=size=1024x64:duration=1',
      '-c:v',
      'libx264',
      wide,
    ]);
    expect((await expectProblem(await upload(wide), 422, /1024x64.*at most 1000/)).reason).toBe('too-large');
  });

  it('refuses a truncated upload (422)', async () => {
    const src = fx.landscape(dir, 'whole.mp4', 6);
    const cut = join(dir, 'cut.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      src.path,
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      cut,
    ]);
    const bytes = await readFile(cut);
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    expect((await expectProblem(await upload(cut), 422, /truncated or damaged/)).reason).toBe('undecodable');
  });

  it('refuses bad options, a missing file, a non-multipart body and an oversized upload', async () => {
    const src = fx.landscape(dir, 'small.mp4', 1);
    await expectProblem(
      await upload(src.path, { heights: '720,abc', preset: 'placebo' }),
      400,
      /heights.*preset/,
    );
    await expectProblem(await upload(undefined, { heights: '360' }), 400, /field named "file"/);
    // Sent with a length (not chunked): daprd may retry it, each attempt counted by the breaker.
    const json = await client.fetch('/v1.0/invoke/downscale/method/api/downscale/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"file":"x"}',
    });
    await expectProblem(json, 415, /multipart\/form-data/);
    const big = join(dir, 'big.mp4');
    await writeFile(big, Buffer.alloc(9 * MiB, 1));
    await expectProblem(await upload(big), 413, /larger than/);
  });

  it('stops ffmpeg and cleans up when the caller goes away mid-encode', async () => {
    const src = fx.landscape(dir, 'cancel.mp4', 25);
    const app = stack.get('downscale').app;
    const children = () =>
      readFile(`/proc/${app.process.pid}/task/${app.process.pid}/children`, 'utf8')
        .then((s) => s.trim())
        .catch(() => '');
    const ac = new AbortController();
    // fetch, not the kit's streamed request: that one only settles on abort while still sending.
    const form = new FormData();
    form.set('heights', '360,240,180');
    form.set('file', new Blob([await readFile(src.path)], { type: 'video/mp4' }), 'cancel.mp4');
    const pending = fetch(`${client.baseUrl}/v1.0/invoke/downscale/method/api/downscale/upload`, {
      method: 'POST',
      body: form,
      signal: ac.signal,
    }).catch((err: Error) => err);
    // Wait until ffmpeg is running, then hang up.
    const started = Date.now();
    while (!(await children()) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
    expect(await children()).not.toBe('');
    ac.abort();
    expect(await pending).toBeInstanceOf(Error);
    const deadline = Date.now() + 15_000;
    while ((await children()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await children()).toBe('');
    expect(await noFilesLeft()).toEqual([]);
    // Still serving.
    const health = await fetch(`${app.url}/health`);
    expect(health.status).toBe(200);
  });
});
