import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CatalogReadModel, type RowSource } from '../src/adapters/catalog-read-model.js';
import type { ListQuery } from '../src/domain/list-query.js';
import type { VideoRow } from '../src/domain/video-row.js';

const row = (id: string, over: Partial<VideoRow> = {}): VideoRow => ({
  _id: id,
  title: id,
  status: 'processing',
  createdAt: `2026-01-01T00:00:${id.padStart(2, '0')}.000Z`,
  updatedAt: '2026-01-01T00:00:00.000Z',
  media: { durationSec: 1 },
  requestedTasks: ['downscale'],
  tasks: { downscale: { status: 'running' } },
  ...over,
});

/** A database stand-in whose reads can be held back, to make them finish in any order. */
class FakeSource implements RowSource {
  docs = new Map<string, VideoRow>();
  failing = false;
  private holds: { release: () => void }[] = [];
  hold = false;

  private async gate<T>(value: () => T): Promise<T> {
    if (this.failing) throw new Error('database down');
    if (this.hold) await new Promise<void>((release) => this.holds.push({ release }));
    return value();
  }
  /** Lets held reads finish, last begun first. */
  releaseNewestFirst() {
    for (const h of this.holds.reverse()) h.release();
    this.holds = [];
  }
  row(id: string) {
    const snapshot = this.docs.get(id);
    return this.gate(() => (snapshot ? structuredClone(snapshot) : null));
  }
  allRows(limit: number) {
    const snapshot = [...this.docs.values()].slice(0, limit).map((r) => structuredClone(r));
    return this.gate(() => snapshot);
  }
}

const q = (over: Partial<ListQuery> = {}): ListQuery => ({ sort: 'newest', limit: 20, offset: 0, ...over });
const ids = (page: { items: VideoRow[] } | undefined) => page?.items.map((r) => r._id);
const ids50 = (model: CatalogReadModel) => model.processing(50)?.map((r) => r._id);
const logger = pino({ level: 'silent' });
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

async function loaded(source: FakeSource, maxRows = 1000) {
  const model = new CatalogReadModel(source, { resyncMs: 60_000, maxRows }, logger);
  model.start();
  await until(() => model.live);
  return model;
}

describe('catalog read model', () => {
  it('answers nothing until loaded, then pages like the database would', async () => {
    const source = new FakeSource();
    for (const id of ['1', '2', '3', '4'])
      source.docs.set(id, row(id, { status: id === '2' ? 'failed' : 'completed' }));
    const model = new CatalogReadModel(source, { resyncMs: 60_000, maxRows: 1000 }, logger);
    expect(model.list(q())).toBeUndefined();
    model.start();
    await until(() => model.live);
    expect(ids(model.list(q()))).toEqual(['4', '3', '2', '1']);
    expect(ids(model.list(q({ sort: 'oldest', limit: 2, offset: 1 })))).toEqual(['2', '3']);
    expect(model.list(q({ status: 'completed', limit: 1 }))).toMatchObject({ total: 3 });
    model.stop();
  });

  it('follows writes: new, changed and deleted videos', async () => {
    const source = new FakeSource();
    source.docs.set('1', row('1'));
    const model = await loaded(source);
    source.docs.set('2', row('2'));
    await model.changed('2');
    source.docs.set('1', row('1', { status: 'completed', title: 'renamed' }));
    await model.changed('1');
    expect(model.list(q())?.items.map((r) => [r._id, r.status])).toEqual([
      ['2', 'processing'],
      ['1', 'completed'],
    ]);
    source.docs.delete('2');
    await model.changed('2');
    expect(ids(model.list(q()))).toEqual(['1']);
    model.stop();
  });

  it('keeps the newest read when reads of one video finish out of order', async () => {
    const source = new FakeSource();
    source.docs.set('1', row('1'));
    const model = await loaded(source);
    source.hold = true;
    source.docs.set('1', row('1', { status: 'completed' }));
    const older = model.changed('1'); // reads "completed"
    source.docs.set('1', row('1', { status: 'failed' }));
    const newer = model.changed('1'); // reads "failed", and finishes first
    source.releaseNewestFirst();
    await Promise.all([older, newer]);
    expect(model.list(q())?.items[0]?.status).toBe('failed');
    model.stop();
  });

  it('a full read never brings back a video deleted while it ran, nor hides one added', async () => {
    const source = new FakeSource();
    source.docs.set('1', row('1'));
    source.docs.set('2', row('2'));
    const model = new CatalogReadModel(source, { resyncMs: 20, maxRows: 1000 }, logger);
    model.start();
    await until(() => model.live);
    source.hold = true;
    await new Promise((r) => setTimeout(r, 40)); // a full read is now held with 1 and 2 in it
    source.hold = false;
    source.docs.delete('1');
    await model.changed('1');
    source.docs.set('3', row('3'));
    await model.changed('3');
    source.releaseNewestFirst(); // the stale full read lands last
    await new Promise((r) => setTimeout(r, 5));
    expect(ids(model.list(q()))).toEqual(['3', '2']);
    model.stop();
  });

  it('turns stale when a read fails, and live again after a full read', async () => {
    const source = new FakeSource();
    source.docs.set('1', row('1'));
    const model = await loaded(source);
    source.failing = true;
    source.docs.set('1', row('1', { status: 'completed' }));
    await model.changed('1');
    expect(model.live).toBe(false);
    expect(model.list(q())).toBeUndefined();
    source.failing = false;
    await until(() => model.live);
    expect(model.list(q())?.items[0]?.status).toBe('completed');
    model.stop();
  });

  it("names the videos still processing, oldest first, for the orchestrator's look", async () => {
    const source = new FakeSource();
    for (const [id, status] of [
      ['3', 'processing'],
      ['1', 'completed'],
      ['2', 'processing'],
      ['4', 'processing'],
    ])
      source.docs.set(id as string, row(id as string, { status: status as VideoRow['status'] }));
    const model = await loaded(source);
    expect(ids50(model)).toEqual(['2', '3', '4']);
    expect(model.processing(2)?.map((r) => r._id)).toEqual(['2', '3']);
    source.docs.set('2', row('2', { status: 'completed' }));
    await model.changed('2');
    expect(ids50(model)).toEqual(['3', '4']);
    // Not live: only the database knows.
    source.failing = true;
    await model.changed('3');
    expect(ids50(model)).toBeUndefined();
    model.stop();
  });

  it('takes progress from events, for running tasks only', async () => {
    const source = new FakeSource();
    source.docs.set('1', row('1'));
    source.docs.set('2', row('2', { tasks: { downscale: { status: 'done' } } }));
    const model = await loaded(source);
    model.heard('task.progress', { videoId: '1', task: 'downscale', progress: 0.5 });
    model.heard('task.progress', { videoId: '2', task: 'downscale', progress: 0.5 });
    model.heard('task.progress', { videoId: '1', task: 'nonsense', progress: 0.9 });
    const page = model.list(q());
    expect(page?.items.find((r) => r._id === '1')?.tasks.downscale?.progress).toBe(0.5);
    expect(page?.items.find((r) => r._id === '2')?.tasks.downscale?.progress).toBeUndefined();
    model.stop();
  });

  it('other events read the video again', async () => {
    const source = new FakeSource();
    const model = await loaded(source);
    source.docs.set('9', row('9'));
    model.heard('video.uploaded', { videoId: '9' });
    await until(() => model.list(q())?.total === 1);
    model.stop();
  });

  it('steps aside when the catalog is larger than it may hold', async () => {
    const source = new FakeSource();
    for (const id of ['1', '2', '3']) source.docs.set(id, row(id));
    const model = new CatalogReadModel(source, { resyncMs: 60_000, maxRows: 2 }, logger);
    model.start();
    await new Promise((r) => setTimeout(r, 30));
    expect(model.live).toBe(false);
    expect(model.list(q())).toBeUndefined();
    model.stop();
  });
});
