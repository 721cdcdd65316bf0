import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureApp, type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_ORCHESTRATION } from '../support/main-app.js';
import { makeVideo } from '../support/media.js';

// Two main-app replicas (one API-only): a client may upload to one and follow the live
// progress on the other, because SSE streams are fed from pub/sub on every replica.
describe('main-app replicas', () => {
  let stack: Stack;
  const headers = { 'x-api-key': TEST_API_KEY };

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      apps: [
        { app: 'main-app', appId: 'main-app', name: 'worker', env: { ...FAST_ORCHESTRATION } },
        {
          app: 'main-app',
          appId: 'main-app',
          name: 'api',
          env: { ...FAST_ORCHESTRATION, MAIN_APP_ROLE: 'api' },
        },
        { app: fixtureApp('processor'), appId: 'downscale', env: { PROCESS_DELAY_MS: '1500' } },
      ],
    });
    for (const name of ['worker', 'api']) {
      await waitUntil(
        `${name} ready`,
        async () => (await fetch(`${stack.get(name).app.url}/ready`)).status === 200,
        30_000,
        200,
      );
    }
  });
  afterAll(() => stack?.stop());

  it('streams the progress of a video uploaded to one replica from the other one', async () => {
    const dir = join(stack.dir, 'media');
    await mkdir(dir);
    const form = new FormData();
    form.append('tasks', 'downscale');
    form.append('file', new File([await readFile(makeVideo(dir, 'r.mp4', { seconds: 1 }))], 'r.mp4'));
    // Uploaded through the API-only replica; the work runs on the other one.
    const res = await fetch(`${stack.get('api').app.url}/api/videos`, {
      method: 'POST',
      body: form,
      headers,
    });
    expect(res.status).toBe(201);
    const { video } = (await res.json()) as any;

    // Both streams open while the video is processing; each ends with video.completed,
    // also on the replica that did none of the work.
    const streams = await Promise.all(
      ['worker', 'api'].map(async (name) => {
        const sse = await fetch(`${stack.get(name).app.url}/api/videos/${video.id}/events`, { headers });
        return [...(await sse.text()).matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
      }),
    );
    for (const events of streams) {
      expect(events[0]).toBe('snapshot');
      expect(events).toContain('task.started');
      expect(events).toContain('task.completed');
      expect(events).toContain('video.completed');
    }
    const done = (await (
      await fetch(`${stack.get('api').app.url}/api/videos/${video.id}`, { headers })
    ).json()) as any;
    expect(done.status).toBe('completed');
    expect(done.tasks.downscale.attempts).toBe(1);
  });
});
