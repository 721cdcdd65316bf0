import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureApp, type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_ORCHESTRATION } from '../support/main-app.js';
import { makeVideo } from '../support/media.js';

const PROCESSORS = ['langscale', 'subtitle', 'animal-detect', 'downscale'];
const LISTS = [
  '/api/videos?limit=100',
  '/api/videos?sort=oldest&limit=2&offset=1',
  '/api/videos?status=completed',
  '/api/videos?species=dog&language=en',
];

/**
 * Lists answered from memory stay right with several replicas: a replica that wrote
 * nothing follows every change through the events it hears, and a change no event told
 * (an outage) is repaired by its periodic full read. A replica that lists straight from
 * the database is the reference.
 */
describe('catalog lists from memory on several main-app replicas', () => {
  let stack: Stack;
  let mongo: MongoClient;
  const headers = { 'x-api-key': TEST_API_KEY };
  const url = (name: string) => stack.get(name).app.url;
  const list = async (name: string, path: string) => (await fetch(`${url(name)}${path}`, { headers })).text();
  /** Every replica answers every list exactly as the database does. */
  const agree = (what: string) =>
    waitUntil(
      what,
      async () => {
        for (const path of LISTS) {
          const reference = await list('database', path);
          if ((await list('worker', path)) !== reference || (await list('reader', path)) !== reference)
            return false;
        }
        return true;
      },
      30_000,
      200,
    );

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      apps: [
        // Its full read is far off: what it lists comes from memory and events only.
        {
          app: 'main-app',
          appId: 'main-app',
          name: 'worker',
          env: { ...FAST_ORCHESTRATION, CATALOG_RESYNC_MS: '600000' },
        },
        {
          app: 'main-app',
          appId: 'main-app',
          name: 'reader',
          env: { ...FAST_ORCHESTRATION, MAIN_APP_ROLE: 'api', CATALOG_RESYNC_MS: '2000' },
        },
        {
          app: 'main-app',
          appId: 'main-app',
          name: 'database',
          env: { ...FAST_ORCHESTRATION, MAIN_APP_ROLE: 'api', CATALOG_LISTS: 'database' },
        },
        ...PROCESSORS.map((id) => ({
          app: fixtureApp('processor'),
          appId: id,
          env: { PROCESS_DELAY_MS: '300' },
        })),
      ],
    });
    for (const name of ['worker', 'reader', 'database'])
      await waitUntil(
        `${name} ready`,
        async () => (await fetch(`${url(name)}/ready`)).status === 200,
        60_000,
        200,
      );
    mongo = new MongoClient(`mongodb://127.0.0.1:${stack.mongo?.port}/vidp`);
  });
  afterAll(async () => {
    await mongo?.close();
    await stack?.stop();
  });

  it('follows uploads, every task, and deletes made through another replica', async () => {
    const dir = join(stack.dir, 'media');
    await mkdir(dir);
    const ids: string[] = [];
    for (const tone of [300, 400, 500]) {
      const form = new FormData();
      form.append(
        'file',
        new File([await readFile(makeVideo(dir, `v${tone}.mp4`, { seconds: 1, tone }))], 'v.mp4'),
      );
      // Uploaded to the worker: the reader writes none of it.
      const res = await fetch(`${url('worker')}/api/videos`, { method: 'POST', body: form, headers });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { video: { id: string } }).video.id);
    }
    // The writer's own list shows its upload at once (it read it back before answering).
    expect(JSON.parse(await list('worker', '/api/videos?limit=100')).total).toBe(3);
    await waitUntil(
      'every video to complete',
      async () => (await mongo.db().collection('videos').countDocuments({ status: 'completed' })) === 3,
      60_000,
      250,
    );
    await agree('every replica to list the finished videos as the database does');
    const reader = JSON.parse(await list('reader', '/api/videos?status=completed')) as {
      items: { id: string; tasks: Record<string, { status: string }> }[];
    };
    expect(reader.items.map((v) => v.id).sort()).toEqual([...ids].sort());
    for (const v of reader.items) for (const t of PROCESSORS) expect(v.tasks[t]?.status).toBe('done');

    expect((await fetch(`${url('worker')}/api/videos/${ids[0]}`, { method: 'DELETE', headers })).status).toBe(
      204,
    );
    await agree('every replica to drop the deleted video');
    expect(JSON.parse(await list('reader', '/api/videos')).total).toBe(2);
  });

  it('repairs, by its periodic full read, a change that no event announced', async () => {
    const before = JSON.parse(await list('reader', '/api/videos')) as {
      items: { id: string; title: string }[];
    };
    const target = before.items[0];
    if (!target) throw new Error('no video to change');
    // A write behind every replica's back, as if its event had been lost in an outage.
    await mongo
      .db()
      .collection('videos')
      .updateOne({ _id: target.id as never }, { $set: { title: 'renamed quietly' } });
    expect(JSON.parse(await list('database', '/api/videos')).items[0].title).toBe('renamed quietly');
    await waitUntil(
      'the reader to see the change',
      async () => JSON.parse(await list('reader', '/api/videos')).items[0].title === 'renamed quietly',
      20_000,
      200,
    );
    // The worker heard of no change and reads nothing again for minutes: still the old title,
    // so lists are answered from memory (and the reader was repaired by its full read).
    expect(JSON.parse(await list('worker', '/api/videos')).items[0].title).toBe(target.title);
  });
});
