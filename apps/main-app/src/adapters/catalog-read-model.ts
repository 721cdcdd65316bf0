import { TASKS, type TaskName, TOPICS } from '@vidp/contracts';
import type { Logger } from 'pino';
import { answerableInMemory, compareRows, type ListQuery, pageOfRows } from '../domain/list-query.js';
import type { VideoRow } from '../domain/video-row.js';

export interface RowSource {
  row(id: string): Promise<VideoRow | null>;
  /** Every row, or the first `limit` when there are more (the caller then knows). */
  allRows(limit: number): Promise<VideoRow[]>;
}

export interface ReadModelSettings {
  /** How often everything is read again: repairs whatever a lost event left behind. */
  resyncMs: number;
  /** Over this many videos the model steps aside and lists come from the database. */
  maxRows: number;
}

interface Entry {
  /** null: the video is gone (kept until a full read settles it). */
  row: VideoRow | null;
  /** When the read that produced this entry began (a counter, see `seq`). */
  seq: number;
}

const RETRY_MIN_MS = 500;

/**
 * The catalog's list rows, held in memory by every main-app replica, so that listing
 * videos costs no database query. (FerretDB, the local MongoDB-wire server, answers a
 * list query in tens to hundreds of milliseconds, at 50 concurrent clients in seconds.)
 *
 * It stays right with any number of replicas because a row is only ever *read back* from
 * the database, never patched from what a write meant to do:
 * - this replica's own writes re-read the video before the write returns (read-your-writes);
 * - every platform event, which every replica receives on the broadcast component and
 *   which is published after the write it announces, re-reads the video it names;
 * - progress (written by one replica after the event) is taken from the event itself;
 * - a full read every `resyncMs` repairs anything an event lost in an outage missed.
 * Reads can overlap and finish in any order: each takes a ticket when it begins, and an
 * entry only moves to a read that began later than the one it holds. A read that fails
 * marks the model stale: lists go to the database until a full read begun after it succeeds.
 */
export class CatalogReadModel {
  private readonly entries = new Map<string, Entry>();
  /** Rows oldest first, and each id's place in it; rebuilt when membership changes. */
  private ordered: VideoRow[] | undefined;
  private readonly place = new Map<string, number>();
  private seq = 0;
  /** Ticket of the last full read applied: anything that began before it is older. */
  private floor = 0;
  private loaded = false;
  private staleAfter: number | undefined;
  private tooLarge = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private changes = 0;

  constructor(
    private readonly source: RowSource,
    private readonly s: ReadModelSettings,
    private readonly logger: Logger,
  ) {}

  /** Loads everything in the background; lists use the database until then. */
  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Moves whenever any answer could change: lists computed at one version stay right until it moves. */
  get version(): number {
    return this.changes;
  }

  /** Whether lists are answered from memory right now. */
  get live(): boolean {
    return this.loaded && this.staleAfter === undefined && !this.tooLarge;
  }

  /** Whether `list(q)` answers (live, and every filter of `q` can be tested in memory). */
  canAnswer(q: ListQuery): boolean {
    return this.live && answerableInMemory(q);
  }

  /** The rows of the videos still processing, oldest first, or undefined when not live. */
  processing(limit = Number.POSITIVE_INFINITY): VideoRow[] | undefined {
    if (!this.live) return undefined;
    const rows: VideoRow[] = [];
    for (const row of this.rowsOldestFirst()) {
      if (rows.length >= limit) break;
      if (row.status === 'processing') rows.push(row);
    }
    return rows;
  }

  /** A page, or undefined when the database must answer (see `canAnswer`). */
  list(q: ListQuery): { items: VideoRow[]; total: number } | undefined {
    if (!this.canAnswer(q)) return undefined;
    return pageOfRows(this.rowsOldestFirst(), q);
  }

  /** Reads one video again. Never throws: a failure marks the model stale instead. */
  async changed(id: string): Promise<void> {
    if (this.tooLarge) return;
    const ticket = ++this.seq;
    try {
      this.apply(id, await this.source.row(id), ticket);
    } catch (err) {
      this.markStale(ticket, err as Error);
    }
  }

  /** A platform event heard on the broadcast component (every replica hears every event). */
  heard(topic: string, data: Record<string, unknown>): void {
    const videoId = data.videoId;
    if (typeof videoId !== 'string') return;
    if (topic === TOPICS.taskProgress) {
      const task = data.task as TaskName;
      if (TASKS.includes(task) && typeof data.progress === 'number')
        this.progress(videoId, task, data.progress);
      return;
    }
    void this.changed(videoId);
  }

  /** The same condition as the catalog's write: only a running task moves. */
  private progress(id: string, task: TaskName, progress: number): void {
    const view = this.entries.get(id)?.row?.tasks[task];
    if (view?.status === 'running' && view.progress !== progress) {
      view.progress = progress;
      this.changes++;
    }
  }

  private apply(id: string, row: VideoRow | null, ticket: number): void {
    const old = this.entries.get(id);
    if (ticket < (old?.seq ?? this.floor)) return; // a later read already answered
    if (JSON.stringify(old?.row ?? null) === JSON.stringify(row)) {
      // Nothing moved: keep the object lists already hold (progress updates it in place).
      this.entries.set(id, { row: old?.row ?? null, seq: ticket });
      return;
    }
    this.entries.set(id, { row, seq: ticket });
    this.changes++;
    const at = this.place.get(id);
    if (this.ordered && row && old?.row && at !== undefined && old.row.createdAt === row.createdAt) {
      this.ordered[at] = row;
    } else if (row || old?.row) {
      this.ordered = undefined;
    }
  }

  private rowsOldestFirst(): VideoRow[] {
    if (!this.ordered) {
      const rows: VideoRow[] = [];
      for (const e of this.entries.values()) if (e.row) rows.push(e.row);
      rows.sort(compareRows('oldest'));
      this.place.clear();
      for (const [i, r] of rows.entries()) this.place.set(r._id, i);
      this.ordered = rows;
    }
    return this.ordered;
  }

  private markStale(ticket: number, err: Error): void {
    if (this.staleAfter === undefined)
      this.logger.warn({ err: err.message }, 'catalog read model stale; lists go to the database');
    this.staleAfter = Math.max(this.staleAfter ?? 0, ticket);
    this.schedule(RETRY_MIN_MS);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.resync(), ms);
    this.timer.unref();
  }

  /** Reads every row and makes memory match (rows newer than this read are kept). */
  private async resync(): Promise<void> {
    const ticket = ++this.seq;
    const began = Date.now();
    try {
      const rows = await this.source.allRows(this.s.maxRows + 1);
      if (rows.length > this.s.maxRows) {
        if (!this.tooLarge)
          this.logger.warn({ max: this.s.maxRows }, 'catalog too large to hold; lists go to the database');
        this.tooLarge = true;
        this.entries.clear();
        this.ordered = undefined;
      } else {
        this.tooLarge = false;
        const seen = new Set<string>();
        for (const row of rows) {
          seen.add(row._id);
          this.apply(row._id, row, ticket);
        }
        for (const id of [...this.entries.keys()]) if (!seen.has(id)) this.apply(id, null, ticket);
        for (const [id, e] of this.entries) if (e.row === null && e.seq <= ticket) this.entries.delete(id);
        this.floor = ticket;
        if (this.staleAfter !== undefined && ticket > this.staleAfter) {
          this.staleAfter = undefined;
          this.logger.info('catalog read model live again');
        }
        if (!this.loaded)
          this.logger.info({ videos: rows.length, ms: Date.now() - began }, 'catalog read model loaded');
        this.loaded = true;
      }
      this.failures = 0;
      this.schedule(this.s.resyncMs);
    } catch (err) {
      this.failures++;
      this.logger.warn({ err: (err as Error).message }, 'catalog read model could not read the catalog');
      this.schedule(Math.min(this.s.resyncMs, RETRY_MIN_MS * 2 ** Math.min(this.failures, 6)));
    }
  }
}
