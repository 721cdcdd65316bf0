import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Daprd, type Stack, type StartedApp, startStack, waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesLeft } from '../support/fs.js';
import { FAULT_RESTART_POLICY, SLOW_RESTART_ORCHESTRATION } from '../support/main-app.js';
import {
  ALL_TASKS,
  alive,
  checkFailed,
  descendants,
  Platform,
  type ReadySample,
  watchReady,
} from '../support/platform.js';
import { makeRealVideo } from '../support/real-video.js';

// kill -9 of the real processors (Whisper, NanoDet, ffmpeg) and of their sidecars while each
// is mid-work on a real video (darknet photos, JFK and LibriVox speech): the supervisor brings
// each back, main-app's /ready shows the processor missing meanwhile, the work each one had
// started (ffmpeg, the Whisper host) ends with it, what it left in its temp folder is swept
// when it starts again, and the video completes once with every output stored once.
const PARALLEL = ['langscale', 'animal-detect', 'downscale'] as const;

describe('the real processors killed mid-work, on a supervised stack', () => {
  let stack: Stack;
  let platform: Platform;
  let media: string;

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      supervise: FAULT_RESTART_POLICY,
      apps: [
        { app: 'main-app', appId: 'main-app', env: { ...SLOW_RESTART_ORCHESTRATION } },
        ...ALL_TASKS.map((t) => ({ app: t, appId: t })),
      ],
    });
    platform = new Platform(stack);
    media = join(stack.dir, 'media');
    await mkdir(media);
    for (const id of stack.apps.keys()) {
      await waitUntil(
        `${id} ready`,
        async () => (await fetch(`${stack.get(id).app.url}/ready`)).ok,
        90_000,
        250,
      );
    }
  });
  afterAll(async () => {
    await platform?.close();
    await stack?.stop();
  });

  const video = (variant: string) =>
    makeRealVideo(media, `${variant}.mp4`, {
      variant,
      width: 640,
      height: 360,
      segments: [
        { image: 'dog.jpg', seconds: 5, motion: 'still', animals: ['dog'] },
        { image: 'horses.jpg', seconds: 6, motion: 'pan', animals: ['horse'] },
        { image: 'giraffe.jpg', seconds: 4, motion: 'still', animals: ['giraffe', 'zebra'] },
        { image: 'eagle.jpg', seconds: 5, motion: 'still', animals: ['bird'] },
      ],
    });
  /** The processor holds the upload in its temp folder: it is mid-work on this task. */
  const working = async (task: string) => (await filesLeft(join(stack.dir, 'tmp', task))).length > 0;
  const waitWorking = async (id: string, tasks: readonly string[]) => {
    await platform.waitRunning(id, tasks, 300_000);
    await waitUntil(
      `${tasks.join(', ')} mid-work`,
      async () => (await Promise.all(tasks.map(working))).every(Boolean),
      60_000,
      50,
    );
  };
  const unreachable = (s: ReadySample) => s.status === 0;
  /** main-app sees the processor again (a busy one may be slow to answer: that is not down). */
  const back = (s: ReadySample, task: string) => {
    const check = s.body?.checks?.[`processor:${task}`];
    return check === 'ok' || /no answer within/.test(check ?? '');
  };
  const sidecarMissing = (s: ReadySample) => s.status === 503 && checkFailed(s, 'dapr-sidecar');

  /**
   * kill -9 of one process of each task, all at once: main-app's /ready shows each processor
   * missing (degraded; it stays ready, as its API still serves), the processor's own /ready
   * shows its outage, both recover, and what the killed process had started ends.
   */
  const killAll = async (
    pick: (task: string) => StartedApp | Daprd,
    tasks: readonly string[],
    /** How the processor's own /ready shows the outage. */
    ownOutage: (s: ReadySample) => boolean,
  ) => {
    const ready = watchReady(stack.get('main-app').app.url);
    const own = tasks.map((t) => stack.get(t).app.url);
    const ownReady = own.map((u) => watchReady(u));
    const children = (await Promise.all(tasks.map((t) => descendants(pick(t).process.pid)))).flat();
    await Promise.all(tasks.map((t) => pick(t).process.kill9()));
    const missing = new Set(tasks);
    // Each killed processor shows in main-app's /ready (degraded) before it is whole again.
    await ready.until(
      (s) => {
        for (const t of tasks) if (checkFailed(s, `processor:${t}`)) missing.delete(t);
        return missing.size === 0;
      },
      (s) => s.status === 200 && tasks.every((t) => back(s, t)),
      240_000,
    );
    await Promise.all(ownReady.map((w) => w.until(ownOutage, (s) => s.status === 200, 180_000)));
    // Work a killed process had started (ffmpeg, the Whisper host) does not outlive it for long.
    await waitUntil(
      'the killed processes’ children to end',
      async () => children.every((c) => !alive(c)),
      60_000,
      250,
    );
  };

  it('kill -9 of each processor mid-task: restarted, retried, completed once, nothing left behind', async () => {
    const id = await platform.upload(await video('apps'));
    await waitWorking(id, PARALLEL);
    await killAll((t) => stack.get(t).app, PARALLEL, unreachable);
    // subtitle starts once langscale has found the language.
    await waitWorking(id, ['subtitle']);
    await killAll((t) => stack.get(t).app, ['subtitle'], unreachable);

    const v = await platform.expectCompletedOnce(id);
    for (const t of ALL_TASKS) expect(v.tasks[t].attempts, t).toBeGreaterThanOrEqual(2);
    expect(v.language).toBe('en');
    expect(v.species).toContain('dog');
    for (const t of ALL_TASKS) expect(stack.restarts.filter((e) => e.name === t)).toHaveLength(1);
    // The uploads the killed runs held were swept when they started again.
    for (const t of ALL_TASKS) expect(await filesLeft(join(stack.dir, 'tmp', t)), t).toEqual([]);
  }, 900_000);

  it("kill -9 of each processor's sidecar mid-task: /ready shows it, the tasks are retried, once", async () => {
    const id = await platform.upload(await video('sidecars'));
    await waitWorking(id, PARALLEL);
    await killAll((t) => stack.get(t).daprd, PARALLEL, sidecarMissing);
    await waitWorking(id, ['subtitle']);
    await killAll((t) => stack.get(t).daprd, ['subtitle'], sidecarMissing);

    const v = await platform.expectCompletedOnce(id);
    for (const t of ALL_TASKS) expect(v.tasks[t].attempts, t).toBeGreaterThanOrEqual(2);
    for (const t of ALL_TASKS) expect(stack.restarts.filter((e) => e.name === `daprd:${t}`)).toHaveLength(1);
    // The processors dropped the work their caller abandoned, and cleaned up after it.
    for (const t of ALL_TASKS) expect(await filesLeft(join(stack.dir, 'tmp', t)), t).toEqual([]);
  }, 900_000);
});
