import type { TaskName } from '@vidp/contracts';
import type { Collection, Db } from 'mongodb';
import { type ListQuery, mongoFilter, mongoSort } from '../domain/list-query.js';
import type { TaskView, Video, VideoStatus } from '../domain/model.js';
import { ROW_PROJECTION, type VideoRow } from '../domain/video-row.js';
import { KeyedMutex } from './keyed-mutex.js';
import { backfillSearchTerms, ensureSearchIndexes } from './search.js';

/** Told of every write this process makes to a video, once the write is done. */
export type ChangeListener = (videoId: string) => Promise<void>;

/**
 * The indexes behind every query main-app makes: each list filter (equality) followed by
 * the list order, so a page is read in index order (equality, then sort), plus the
 * order alone for the unfiltered list; `processing()` uses the status one.
 */
const LIST_INDEXES = [
  { createdAt: -1, _id: -1 },
  { status: 1, createdAt: -1, _id: -1 },
  { detectedLanguage: 1, createdAt: -1, _id: -1 },
  { species: 1, createdAt: -1, _id: -1 },
] as const;

/**
 * The video catalog: one document per video, with a mirror of each task's state.
 *
 * Writes to one video are serialised in this process. MongoDB applies each update
 * atomically anyway, but FerretDB 1.24 (the local MongoDB-wire server) does not: measured
 * here, 50 concurrent `$inc` on one document left 8, and concurrent `$set`s of different
 * fields lost each other. With one main-app replica (local runs) the lock makes it safe;
 * several replicas need a real MongoDB, as in Kubernetes.
 */
export class Catalog {
  readonly videos: Collection<Video>;
  private readonly locks = new KeyedMutex();
  private readonly listeners: ChangeListener[] = [];

  constructor(db: Db) {
    this.videos = db.collection<Video>('videos');
  }

  async init(): Promise<void> {
    // Byte-identical uploads are the same video.
    await this.videos.createIndex({ sha256: 1 }, { unique: true });
    for (const keys of LIST_INDEXES) await this.videos.createIndex({ ...keys });
    // Superseded by { status, createdAt, _id } (earlier versions made it).
    await this.videos.dropIndex('status_1_createdAt_-1').catch(() => undefined);
    await ensureSearchIndexes(this.videos);
    await backfillSearchTerms(this.videos);
  }

  /** `fn` runs after each write of this process to a video, before the write returns. */
  onChange(fn: ChangeListener): void {
    this.listeners.push(fn);
  }

  private async changed(id: string): Promise<void> {
    for (const fn of this.listeners) await fn(id);
  }

  get(id: string): Promise<Video | null> {
    return this.videos.findOne({ _id: id });
  }

  findBySha(sha256: string): Promise<Video | null> {
    return this.videos.findOne({ sha256 });
  }

  /** Inserts; on a concurrent identical upload returns the video that won instead. */
  async insert(video: Video): Promise<{ video: Video; created: boolean }> {
    try {
      await this.videos.insertOne(video);
      await this.changed(video._id);
      return { video, created: true };
    } catch (err) {
      if ((err as { code?: number }).code === 11000) {
        const existing = await this.findBySha(video.sha256);
        if (existing) return { video: existing, created: false };
      }
      throw err;
    }
  }

  /** A page of rows straight from the database (the read model answers most lists instead). */
  async listRows(q: ListQuery): Promise<{ items: VideoRow[]; total: number }> {
    const filter = mongoFilter(q);
    const [items, total] = await Promise.all([
      this.videos
        .find(filter, { projection: ROW_PROJECTION, sort: mongoSort(q), skip: q.offset, limit: q.limit })
        .toArray() as Promise<unknown[]> as Promise<VideoRow[]>,
      this.videos.countDocuments(filter),
    ]);
    return { items, total };
  }

  /** One video's row, or null once it is gone. */
  row(id: string): Promise<VideoRow | null> {
    return this.videos.findOne(
      { _id: id },
      { projection: ROW_PROJECTION },
    ) as Promise<unknown> as Promise<VideoRow | null>;
  }

  /** Every row (the read model's load): one pass over the collection, rows only. */
  allRows(): Promise<VideoRow[]> {
    return this.videos.find({}, { projection: ROW_PROJECTION }).toArray() as Promise<unknown[]> as Promise<
      VideoRow[]
    >;
  }

  /** Videos whose tasks still need work, oldest first. */
  processing(limit: number): Promise<Video[]> {
    return this.videos.find({ status: 'processing' }).sort({ createdAt: 1 }).limit(limit).toArray();
  }

  async setTask(id: string, task: TaskName, view: TaskView, extra: Partial<Video> = {}): Promise<void> {
    await this.locks.run(id, () =>
      this.videos.updateOne(
        { _id: id },
        { $set: { [`tasks.${task}`]: view, updatedAt: new Date().toISOString(), ...extra } },
      ),
    );
    await this.changed(id);
  }

  /** Progress is not announced to listeners: every replica reads it from the event itself. */
  async setProgress(id: string, task: TaskName, progress: number): Promise<void> {
    await this.locks.run(id, () =>
      this.videos.updateOne(
        { _id: id, [`tasks.${task}.status`]: 'running' },
        { $set: { [`tasks.${task}.progress`]: progress } },
      ),
    );
  }

  /** Moves a video out of `processing` once; returns true for the caller that did it. */
  async finish(id: string, status: VideoStatus): Promise<boolean> {
    const now = new Date().toISOString();
    const r = await this.locks.run(id, () =>
      this.videos.updateOne(
        { _id: id, status: 'processing' },
        { $set: { status, completedAt: now, updatedAt: now } },
      ),
    );
    await this.changed(id);
    return r.modifiedCount === 1;
  }

  async remove(id: string): Promise<void> {
    await this.locks.run(id, () => this.videos.deleteOne({ _id: id }));
    await this.changed(id);
  }
}
