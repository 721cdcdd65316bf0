import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Stack, startStack, waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesLeft } from '../support/fs.js';
import { FAULT_RESTART_POLICY, SLOW_RESTART_ORCHESTRATION } from '../support/main-app.js';
import { makeVideo } from '../support/media.js';
import { Platform } from '../support/platform.js';

// Two replicas of the real downscale processor under one Dapr app id, each with its own
// sidecar (as two pods): main-app's calls spread over both; one replica dies mid-task (its
// app and its sidecar, for good) and the other one finishes everything, once.
const VIDEOS = 6;
const REPLICAS = ['downscale-a', 'downscale-b'];

// Generous bounds: on a loaded 2-core machine the six encodes alone can take minutes.
describe('scale-out: two replicas of a processor share the work', { timeout: 600_000 }, () => {
  let stack: Stack;
  let platform: Platform;

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      supervise: FAULT_RESTART_POLICY,
      apps: [
        { app: 'main-app', appId: 'main-app', env: { ...SLOW_RESTART_ORCHESTRATION } },
        ...REPLICAS.map((name) => ({
          app: 'downscale',
          appId: 'downscale',
          name,
          env: { MAX_CONCURRENT_JOBS: '1' },
        })),
      ],
    });
    platform = new Platform(stack);
    await waitUntil('main-app ready', async () => (await fetch(`${platform.api}/ready`)).ok, 60_000);
  });
  afterAll(async () => {
    await platform?.close();
    await stack?.stop();
  });

  /** Uploads the replica answered in full (from its own metrics). */
  const served = async (name: string) => {
    const text = await (await fetch(`${stack.get(name).app.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_server_request_duration_seconds_count') &&
          l.includes('/api/downscale/upload') &&
          l.includes('status_code="200"'),
      );
    return Number(line?.split(' ').pop() ?? 0);
  };
  const holdsUpload = async (name: string) => (await filesLeft(join(stack.dir, 'tmp', name))).length > 0;

  it('spreads several uploads over both, and loses nothing when one dies mid-task', async () => {
    const dir = join(stack.dir, 'media');
    await mkdir(dir);
    const ids: string[] = [];
    for (let i = 0; i < VIDEOS; i++) {
      const path = makeVideo(dir, `s${i}.mp4`, { seconds: 4, size: '320x240', tone: 500 + i * 20 });
      ids.push(await platform.upload(path, { tasks: 'downscale' }));
    }
    // Both replicas given work (the calls are spread), b in the middle of one: a at work at this
    // moment or done with one already (on a quiet machine a 4 s encode can end between two looks).
    await waitUntil(
      'b mid-task, a at work or done with one',
      async () =>
        (await holdsUpload('downscale-b')) &&
        ((await holdsUpload('downscale-a')) || (await served('downscale-a')) > 0),
      90_000,
      50,
    );

    // Replica b dies, app and sidecar, and is not brought back.
    const b = stack.get('downscale-b');
    const servedByB = await served('downscale-b');
    await Promise.all([b.app.process.kill9(), b.daprd.process.kill9()]);
    await Promise.all([b.app.process.stop(), b.daprd.process.stop()]);

    const videos = await platform.expectAllCompletedOnce(ids, ['downscale']);
    // The task b was working on was taken again, and finished by a.
    expect(videos.some((v) => v.tasks.downscale.attempts >= 2)).toBe(true);
    expect(await served('downscale-a')).toBeGreaterThanOrEqual(VIDEOS - servedByB);
    expect(await filesLeft(join(stack.dir, 'tmp', 'downscale-a'))).toEqual([]);
  });
});
