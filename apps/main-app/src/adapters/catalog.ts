import type { TaskName } from '@vidp/contracts';
import type { Collection, Db, Filter } from 'mongodb';
import type { TaskView, Video, VideoStatus } from '../domain/model.js';
import { KeyedMutex } from './keyed-mutex.js';
import { backfillSearchTerms, ensureSearchIndexes, searchFilter } from './search.js';

export interface ListQuery {
  status?: VideoStatus;
  language?: string;
  species?: string;
  /** Words to find in the title or the transcript. */
  q?: string;
  sort: 'newest' | 'oldest';
  limit: number;
  offset: number;
}

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

  constructor(db: Db) {
    this.videos = db.collection<Video>('videos');
  }

  async init(): Promise<void> {
    // Byte-identical uploads are the same video.
    await this.videos.createIndex({ sha256: 1 }, { unique: true });
    await this.videos.createIndex({ status: 1, createdAt: -1 });
    await ensureSearchIndexes(this.videos);
    await backfillSearchTerms(this.videos);
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
      return { video, created: true };
    } catch (err) {
      if ((err as { code?: number }).code === 11000) {
        const existing = await this.findBySha(video.sha256);
        if (existing) return { video: existing, created: false };
      }
      throw err;
    }
  }

  async list(q: ListQuery): Promise<{ items: Video[]; total: number }> {
    const filter: Filter<Video> = {};
    if (q.status) filter.status = q.status;
    if (q.language) filter.detectedLanguage = q.language;
    if (q.species) filter.species = q.species;
    if (q.q) Object.assign(filter, searchFilter(q.q));
    const [items, total] = await Promise.all([
      this.videos
        .find(filter, { sort: { createdAt: q.sort === 'newest' ? -1 : 1 }, skip: q.offset, limit: q.limit })
        .toArray(),
      this.videos.countDocuments(filter),
    ]);
    return { items, total };
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
  }

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
    return r.modifiedCount === 1;
  }

  async remove(id: string): Promise<void> {
    await this.locks.run(id, () => this.videos.deleteOne({ _id: id }));
  }
}
