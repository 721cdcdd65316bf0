import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureApp, type Stack, startStack, waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_ORCHESTRATION, FAULT_RESTART_POLICY } from '../support/main-app.js';
import { makeVideo } from '../support/media.js';
import { checkFailed, describeSamples, isReady, Platform, watchReady } from '../support/platform.js';

// Faults of the parts around the processors, on a supervised stack (as `npm start` runs):
// kill -9 of main-app, of its sidecar, of Redis and of the MongoDB-wire server while a real
// video is mid-work; a processor that hangs; one that always fails. Processors here are the
// kit fixture under each processor's app id (real sidecars, a few seconds of "work" each);
// tests/faults/processors.test.ts kills the real ones.
const HANG_TIMEOUT_S = 8;

describe('faults around the processors, on a supervised stack', { timeout: 300_000 }, () => {
  let stack: Stack;
  let platform: Platform;
  let media: string;
  let tone = 300;
  const video = async () => makeVideo(media, `v${tone}.mp4`, { seconds: 2, tone: tone++ });
  const mainApp = () => stack.get('main-app');

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      supervise: FAULT_RESTART_POLICY,
      // The configured timeout of a processor call (production: 60 min), short for the hang.
      timeouts: { processing: `${HANG_TIMEOUT_S}s` },
      apps: [
        // A lease of 10 s, not 3: beside the rest of the suite, a renewal (a database read and a
        // state write) can lag by seconds, and a lapsed lease hands the hung task to a second
        // attempt before its timeout fires. Takeovers after a kill still come within seconds.
        { app: 'main-app', appId: 'main-app', env: { ...FAULT_ORCHESTRATION, TASK_LEASE_MS: '10000' } },
        ...['langscale', 'subtitle', 'animal-detect', 'downscale'].map((appId) => ({
          app: fixtureApp('processor'),
          appId,
          env: { PROCESS_DELAY_MS: '2500' },
        })),
      ],
    });
    platform = new Platform(stack);
    media = join(stack.dir, 'media');
    await mkdir(media);
    await waitUntil('main-app ready', async () => (await fetch(`${mainApp().app.url}/ready`)).ok, 30_000);
  });
  afterAll(async () => {
    await platform?.close();
    await stack?.stop();
  });

  /** Uploads a video, waits until three tasks are mid-work, then runs the fault. */
  const midWork = async () => {
    const id = await platform.upload(await video());
    await platform.waitRunning(id, ['langscale', 'animal-detect', 'downscale']);
    return id;
  };
  const restartsOf = (name: string) => stack.restarts.filter((e) => e.name === name).length;

  it('kill -9 of main-app: the supervisor brings it back, the tasks are taken over, once', async () => {
    const id = await midWork();
    const ready = watchReady(mainApp().app.url);
    await mainApp().app.process.kill9();
    await ready.until((s) => s.status === 0, isReady);
    expect(restartsOf('main-app')).toBe(1);

    const v = await platform.expectCompletedOnce(id);
    // The attempts that died with main-app were claimed again once their lease ran out.
    for (const t of ['langscale', 'animal-detect', 'downscale'])
      expect(v.tasks[t].attempts).toBeGreaterThanOrEqual(2);
  });

  it("kill -9 of main-app's sidecar: /ready says so, the tasks are retried, once", async () => {
    const id = await midWork();
    const ready = watchReady(mainApp().app.url);
    await mainApp().daprd.process.kill9();
    const samples = await ready.until((s) => checkFailed(s, 'dapr-sidecar'), isReady);
    // Not ready while it lasts: main-app cannot work without it.
    const down = samples.filter((s) => checkFailed(s, 'dapr-sidecar'));
    expect(
      down.every((s) => s.status === 503),
      describeSamples(samples),
    ).toBe(true);
    expect(restartsOf('daprd:main-app')).toBe(1);
    await platform.expectCompletedOnce(id);
  });

  it('kill -9 of Redis (task state, pub/sub): nothing acknowledged is lost, once', async () => {
    const id = await midWork();
    const ready = watchReady(mainApp().app.url);
    await stack.redis.process.kill9();
    const samples = await ready.until((s) => checkFailed(s, 'state-store'), isReady);
    // Not ready while it lasts: main-app cannot work without it.
    const down = samples.filter((s) => checkFailed(s, 'state-store'));
    expect(
      down.every((s) => s.status === 503),
      describeSamples(samples),
    ).toBe(true);
    expect(restartsOf('redis')).toBe(1);
    await platform.expectCompletedOnce(id);
  });

  it('kill -9 of the MongoDB-wire server: outputs stored once, no orphaned chunk', async () => {
    const id = await midWork();
    const ready = watchReady(mainApp().app.url);
    await stack.mongo?.process.kill9();
    const samples = await ready.until((s) => checkFailed(s, 'mongodb'), isReady);
    // Not ready while it lasts: main-app cannot work without it.
    const down = samples.filter((s) => checkFailed(s, 'mongodb'));
    expect(
      down.every((s) => s.status === 503),
      describeSamples(samples),
    ).toBe(true);
    expect(restartsOf('ferretdb')).toBe(1);
    await platform.expectCompletedOnce(id);
  });

  it('a processor that hangs: the configured timeout fires, the caller hangs up, the retry completes', async () => {
    const subtitle = stack.get('subtitle').app.url;
    await fetch(`${subtitle}/faults?hang=1`, { method: 'POST' });
    const id = await platform.upload(await video());
    const v = await platform.expectCompletedOnce(id);
    expect(v.tasks.subtitle.attempts).toBe(2);
    const [failed] = await platform.events('task.failed', id, 'subtitle');
    expect(failed).toMatchObject({ attempt: 1, willRetry: true });
    expect(failed.error).toMatch(/timeout|deadline/i);
    const [started] = await platform.events('task.started', id, 'subtitle');
    expect(Date.parse(failed.at) - Date.parse(started.at)).toBeGreaterThanOrEqual(HANG_TIMEOUT_S * 1000);
    // The hung call was abandoned by its caller (the processor saw the hang-up), not left running.
    expect(((await (await fetch(`${subtitle}/calls`)).json()) as any).abandoned).toBe(1);
  });

  it('a processor that always fails: its task ends failed with the reason, the others done', async () => {
    const animals = stack.get('animal-detect').app.url;
    await fetch(`${animals}/faults?fail=1000`, { method: 'POST' });
    try {
      const id = await platform.upload(await video());
      const v = await platform.waitEnded(id);
      expect(v.status).toBe('partial');
      expect(v.tasks['animal-detect']).toMatchObject({ status: 'failed', attempts: 4 });
      expect(v.tasks['animal-detect'].lastError).toMatch(/animal-detect answered 500: failing on purpose/);
      const others = ['langscale', 'subtitle', 'downscale'];
      for (const t of others) expect(v.tasks[t].status).toBe('done');
      await platform.expectStoredOnce(id, v, [...others, 'animal-detect']);
      // Its end was announced (retries are announced too, at most once each).
      const failures = await platform.events('task.failed', id, 'animal-detect');
      expect(failures.filter((e) => !e.willRetry)).toHaveLength(1);
      expect(failures.length).toBeLessThanOrEqual(4);
    } finally {
      await fetch(`${animals}/faults?fail=0`, { method: 'POST' });
    }
  });
});
