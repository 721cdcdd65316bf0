import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureApp, type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_ORCHESTRATION } from '../support/main-app.js';
import { makeVideo } from '../support/media.js';

// kill -9 in the middle of a task, of a processor and of main-app: the video still
// completes once the process is back, each output exists once, nothing is orphaned.
describe('crash safety on the real stack', () => {
  let stack: Stack;
  let mongo: MongoClient;
  let media: string;
  const headers = { 'x-api-key': TEST_API_KEY };
  const api = () => stack.get('main-app').app.url;

  const upload = async (path: string, tasks: string) => {
    const form = new FormData();
    form.append('tasks', tasks);
    form.append('file', new File([await readFile(path)], 'clip.mp4'));
    const res = await fetch(`${api()}/api/videos`, { method: 'POST', body: form, headers });
    expect(res.status).toBe(201);
    return ((await res.json()) as any).video.id as string;
  };
  const get = async (id: string) =>
    (await (await fetch(`${api()}/api/videos/${id}`, { headers })).json()) as any;
  const filesOf = (id: string) =>
    mongo.db().collection('media.files').find({ 'metadata.videoId': id }).toArray();
  const chunksWithoutFile = async () => {
    const ids = (
      await mongo
        .db()
        .collection('media.files')
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((f) => f._id);
    return mongo
      .db()
      .collection('media.chunks')
      .countDocuments({ files_id: { $nin: ids } });
  };
  const waitRunning = (id: string, task: string) =>
    waitUntil(`${task} running`, async () => (await get(id)).tasks[task]?.status === 'running', 30_000, 100);
  const waitDone = (id: string) =>
    waitUntil(`video ${id} completed`, async () => (await get(id)).status === 'completed', 90_000, 250);

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      apps: [
        {
          app: 'main-app',
          appId: 'main-app',
          env: {
            ...FAST_ORCHESTRATION,
          },
        },
        { app: fixtureApp('processor'), appId: 'downscale', env: { PROCESS_DELAY_MS: '2500' } },
        // Answers 500 to every call.
        { app: fixtureApp('processor'), appId: 'animal-detect', env: { FAIL_FIRST: '1000' } },
      ],
    });
    mongo = new MongoClient(`mongodb://127.0.0.1:${stack.mongo?.port}/vidp`);
    media = join(stack.dir, 'media');
    await mkdir(media);
    await waitUntil(
      'main-app ready',
      async () => (await fetch(`${api()}/ready`)).status === 200,
      30_000,
      200,
    );
  });
  afterAll(async () => {
    await mongo?.close();
    await stack?.stop();
  });

  it('finishes the task after the processor is killed mid-task and comes back', async () => {
    const id = await upload(makeVideo(media, 'p.mp4', { seconds: 1, tone: 300 }), 'downscale');
    await waitRunning(id, 'downscale');
    await stack.get('downscale').app.process.kill9();
    await new Promise((r) => setTimeout(r, 500));
    await stack.restartApp('downscale');
    await waitDone(id);

    const v = await get(id);
    expect(v.tasks.downscale.status).toBe('done');
    expect(v.tasks.downscale.attempts).toBeGreaterThanOrEqual(2);
    expect(v.tasks.downscale.outputs).toHaveLength(1);
    const files = await filesOf(id);
    expect(files.map((f) => f.metadata.role).sort()).toEqual(['downscale', 'original']);
    expect(await chunksWithoutFile()).toBe(0);
  });

  it('finishes the task after main-app is killed mid-task and restarted', async () => {
    const id = await upload(makeVideo(media, 'm.mp4', { seconds: 1, tone: 350 }), 'downscale');
    await waitRunning(id, 'downscale');
    await stack.get('main-app').app.process.kill9();
    await stack.restartApp('main-app');
    await waitDone(id);

    const v = await get(id);
    expect(v.tasks.downscale.status).toBe('done');
    // The first attempt died with main-app; its lease expired and the task was claimed again.
    expect(v.tasks.downscale.attempts).toBe(2);
    expect(v.tasks.downscale.outputs).toHaveLength(1);
    const files = await filesOf(id);
    expect(files.map((f) => f.metadata.role).sort()).toEqual(['downscale', 'original']);
    expect(await chunksWithoutFile()).toBe(0);
  });

  it('ends a task that keeps failing as failed, with the reason, without blocking the others', async () => {
    const id = await upload(makeVideo(media, 'f.mp4', { seconds: 1, tone: 400 }), 'animal-detect,downscale');
    await waitUntil('the video to end', async () => (await get(id)).status !== 'processing', 60_000, 250);
    const v = await get(id);
    expect(v.status).toBe('partial');
    expect(v.tasks.downscale.status).toBe('done');
    expect(v.tasks['animal-detect']).toMatchObject({ status: 'failed', attempts: 4 });
    expect(v.tasks['animal-detect'].lastError).toMatch(/animal-detect answered 500: failing on purpose/);
    expect((await filesOf(id)).map((f) => f.metadata.role).sort()).toEqual(['downscale', 'original']);
  });
});
