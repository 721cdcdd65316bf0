import { randomUUID } from 'node:crypto';
import { STATE_STORE, type TaskName } from '@vidp/contracts';
import { deleteState, EtagMismatchError, getState, type Sidecar, saveState } from '@vidp/service-kit';
import type { OutputRef, TaskStatus } from '../domain/model.js';

/** The authoritative state of one task, kept in the Dapr state store with an ETag. */
export interface TaskRecord {
  status: TaskStatus;
  attempt: number;
  /** Replica that holds the task while running, until `leaseUntil`. */
  owner?: string;
  leaseUntil?: number;
  nextAttemptAt?: number;
  startedAt?: string;
  finishedAt?: string;
  lastError?: string;
  reason?: string;
  result?: unknown;
  outputs?: OutputRef[];
  /** The upload's trace (W3C traceparent): the task's calls join it, whichever replica runs them. */
  traceparent?: string;
  /** Random per write: tells whether the ETag read back after a save is ours. */
  rev?: string;
}

export interface Versioned<T> {
  value: T;
  etag: string | undefined;
}

const key = (videoId: string, task: TaskName) => `task:${videoId}:${task}`;

/**
 * Task records with optimistic concurrency: every write names the ETag it read, so two
 * replicas can never both move the same task (the loser gets EtagMismatchError).
 */
export class TaskStateStore {
  constructor(private readonly sidecar: Sidecar) {}

  async read(videoId: string, task: TaskName): Promise<Versioned<TaskRecord> | undefined> {
    const entry = await getState<TaskRecord>(this.sidecar, STATE_STORE, key(videoId, task));
    return entry ? { value: entry.value, etag: entry.etag } : undefined;
  }

  /**
   * Writes `value` if the record is still at `etag` and returns the new ETag. Dapr's save
   * does not return one, so we read back and check our write's `rev`: a concurrent
   * writer in between means we lost, exactly as a mismatch would.
   * Without an ETag it is a plain write: only used to create a video's records, once.
   */
  async write(videoId: string, task: TaskName, value: TaskRecord, etag: string | undefined): Promise<string> {
    const k = key(videoId, task);
    const rev = randomUUID();
    await saveState(this.sidecar, STATE_STORE, [
      etag === undefined ? { key: k, value: { ...value, rev } } : { key: k, value: { ...value, rev }, etag },
    ]);
    const after = await this.read(videoId, task);
    if (after?.value.rev !== rev || !after.etag)
      throw new EtagMismatchError(`task ${k} changed concurrently`);
    return after.etag;
  }

  /**
   * Marks a deleted video's tasks as gone for a day instead of removing them: a missing
   * key would accept any ETag in the Redis store, letting a late runner write again.
   */
  async tombstone(videoId: string, task: TaskName): Promise<void> {
    const k = key(videoId, task);
    const value: TaskRecord = { status: 'cancelled', attempt: 0, reason: 'deleted' };
    // ETag-checked like every other write (a record written with an ETag refuses blind writes).
    for (let i = 0; i < 5; i++) {
      const current = await this.read(videoId, task);
      try {
        await saveState(this.sidecar, STATE_STORE, [
          current?.etag
            ? { key: k, value, etag: current.etag, ttlInSeconds: 86_400 }
            : { key: k, value, ttlInSeconds: 86_400 },
        ]);
        return;
      } catch (err) {
        if (!(err instanceof EtagMismatchError)) throw err;
      }
    }
    throw new EtagMismatchError(`task ${k} kept changing while being deleted`);
  }

  async remove(videoId: string, task: TaskName): Promise<void> {
    await deleteState(this.sidecar, STATE_STORE, key(videoId, task));
  }
}
