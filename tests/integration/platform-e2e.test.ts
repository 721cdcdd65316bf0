import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dogSpeechVideo } from '../support/dog-speech-video.js';
import { FAST_ORCHESTRATION } from '../support/main-app.js';

// The whole platform, nothing stood in for: main-app and the four real processors (Whisper,
// NanoDet, ffmpeg) behind their own daprd sidecars, Redis, FerretDB. One upload of a real
// photo of a dog with JFK's real speech goes through every task.
describe('the whole platform on a real video', () => {
  let stack: Stack;
  let video: string;
  const headers = { 'x-api-key': TEST_API_KEY };
  const api = () => stack.get('main-app').app.url;

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      apps: [
        { app: 'main-app', appId: 'main-app', env: { ...FAST_ORCHESTRATION, TASK_LEASE_MS: '30000' } },
        { app: 'langscale', appId: 'langscale' },
        { app: 'subtitle', appId: 'subtitle' },
        { app: 'animal-detect', appId: 'animal-detect' },
        { app: 'downscale', appId: 'downscale' },
      ],
    });
    const dir = join(stack.dir, 'media');
    await mkdir(dir);
    video = join(dir, 'dog-jfk.mp4');
    dogSpeechVideo(video, { width: 640, fps: 10 });
    // Every app ready: models loaded, sidecars up.
    for (const id of stack.apps.keys()) {
      await waitUntil(
        `${id} ready`,
        async () => (await fetch(`${stack.get(id).app.url}/ready`)).status === 200,
        90_000,
        250,
      );
    }
  });
  afterAll(() => stack?.stop());

  it('detects the language, writes the subtitles, finds the dog and makes the renditions', async () => {
    const form = new FormData();
    form.append('title', 'Dog and JFK');
    form.append('file', new File([await readFile(video)], 'dog-jfk.mp4'));
    const res = await fetch(`${api()}/api/videos`, { method: 'POST', body: form, headers });
    expect(res.status).toBe(201);
    const { video: created } = (await res.json()) as any;

    await waitUntil(
      'the video to end',
      async () =>
        ((await (await fetch(`${api()}/api/videos/${created.id}`, { headers })).json()) as any).status !==
        'processing',
      240_000,
      500,
    );
    const v = (await (await fetch(`${api()}/api/videos/${created.id}`, { headers })).json()) as any;
    for (const t of ['langscale', 'subtitle', 'animal-detect', 'downscale']) {
      expect(v.tasks[t].status, `${t}: ${v.tasks[t].lastError ?? ''}`).toBe('done');
    }
    expect(v.status).toBe('completed');
    expect(v.language).toBe('en');
    expect(v.species).toContain('dog');

    const vtt = v.tasks.subtitle.outputs.find((o: any) => o.filename.endsWith('.vtt'));
    const text = await (await fetch(`${api()}${vtt.url}`, { headers })).text();
    expect(text.startsWith('WEBVTT')).toBe(true);
    expect(text.toLowerCase()).toContain('what you can do for your country');

    const renditions = v.tasks.downscale.outputs.filter((o: any) => o.contentType.startsWith('video/mp4'));
    expect(renditions.length).toBeGreaterThan(0);
    const clip = await fetch(`${api()}${renditions[0].url}`, {
      headers: { ...headers, range: 'bytes=0-1023' },
    });
    expect(clip.status).toBe(206);
    const frame = v.tasks['animal-detect'].outputs[0];
    expect(frame.contentType).toBe('image/jpeg');
  });
});
