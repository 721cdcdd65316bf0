import { type TaskName, TOPICS } from '@vidp/contracts';
import { continueTrace, EtagMismatchError } from '@vidp/service-kit';
import type { Logger } from 'pino';
import type { BlobStore } from '../adapters/blob-store.js';
import type { Catalog } from '../adapters/catalog.js';
import { type ProcessorClient, ProcessorError } from '../adapters/processor-client.js';
import type { TaskRecord, TaskStateStore } from '../adapters/task-state.js';
import { backoffMs } from './backoff.js';
import type { EventPublisher } from './events.js';
import { type TaskView, TERMINAL, type Video, type VideoStatus } from './model.js';
import { resultFacts } from './result-facts.js';
import { noTaskMetrics, type TaskMetrics } from './task-metrics.js';
import { TASK_SPECS, waitsFor } from './tasks.js';

export interface OrchestratorSettings {
  /** How often every replica looks for work it can claim. */
  pollMs: number;
  /** A running task's claim; renewed at a third of it, taken over by others once expired. */
  leaseMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Tasks this replica runs at once. */
  concurrency: number;
}

export interface OrchestratorDeps {
  catalog: Catalog;
  state: TaskStateStore;
  processors: ProcessorClient;
  blobs: BlobStore;
  events: EventPublisher;
  logger: Logger;
  replicaId: string;
  track<T>(p: Promise<T>): Promise<T>;
  /** Counts attempts and their outcomes (Prometheus in main-app). */
  metrics?: TaskMetrics;
  /**
   * Ids of the videos still processing, oldest first, from memory (the catalog's read model),
   * or undefined when only the database knows. Asking the database reads every video on
   * FerretDB, which cannot answer `status` from its index: 3.8 CPU-s a look with 1,000 videos.
   */
  processingIds?(limit: number): string[] | undefined;
}

class Cancelled extends Error {}

export function taskView(r: TaskRecord): TaskView {
  return {
    status: r.status,
    attempts: r.attempt,
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    ...(r.lastError ? { lastError: r.lastError } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.result !== undefined ? { result: r.result } : {}),
    ...(r.outputs ? { outputs: r.outputs } : {}),
  };
}

/**
 * Runs each video's tasks to an end, on any number of main-app replicas at once.
 *
 * The Dapr state record of a task is the truth; the catalog mirrors it for queries.
 * A replica claims a task by writing "running" with the ETag it read, and keeps a lease
 * on it. If the replica dies, the lease expires and another one (or the restarted one)
 * claims the task again. Outputs are written tagged with their attempt, and only the
 * attempt that commits "done" with a valid ETag keeps them: no duplicates, no orphans.
 * A task is claimed only while its processor is not known to be down (its /ready through
 * Dapr), so an outage of a processor (a restart, say) delays its tasks without spending
 * their attempts.
 */
export class Orchestrator {
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopped = false;
  private started = false;
  private readonly active = new Map<string, AbortController>();
  private readonly metrics: TaskMetrics;

  constructor(
    private readonly d: OrchestratorDeps,
    private readonly s: OrchestratorSettings,
  ) {
    this.metrics = d.metrics ?? noTaskMetrics;
  }

  start(): void {
    this.started = true;
    this.timer = setInterval(() => this.wake(), this.s.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stop claiming new work; running tasks finish (the service's graceful stop waits). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Looks for work now (after an upload, a task end, or a wake-up event). */
  wake(): void {
    // An API-only replica never starts: events that wake workers do nothing here.
    if (this.stopped || !this.started) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    this.tick()
      .catch((err: Error) => this.d.logger.warn({ err: err.message }, 'orchestrator pass failed; will retry'))
      .finally(() => {
        this.ticking = false;
        if (this.again) {
          this.again = false;
          setImmediate(() => this.wake());
        }
      });
  }

  /** Aborts this replica's running tasks of a video (cancel, delete). */
  abortVideo(videoId: string): void {
    for (const [key, ac] of this.active)
      if (key.startsWith(`${videoId}:`)) ac.abort(new Cancelled('cancelled'));
  }

  private async tick(): Promise<void> {
    for (const video of await this.processing(50)) {
      if (this.stopped) return;
      await this.advance(video);
    }
  }

  /** The videos that still need work: named by memory when it can, each read by its id. */
  private async processing(limit: number): Promise<Video[]> {
    const ids = this.d.processingIds?.(limit);
    if (!ids) return this.d.catalog.processing(limit);
    const videos = await Promise.all(ids.map((id) => this.d.catalog.get(id)));
    return videos.filter((v): v is Video => v?.status === 'processing');
  }

  private async advance(video: Video): Promise<void> {
    const now = Date.now();
    for (const task of video.requestedTasks) {
      if (TERMINAL.has(video.tasks[task]?.status ?? 'pending')) continue;
      if (this.active.has(`${video._id}:${task}`)) continue;
      const rec = await this.d.state.read(video._id, task);
      if (!rec) {
        // Created by an upload that died before writing the records: start it afresh.
        await this.d.state.write(video._id, task, { status: 'pending', attempt: 0 }, undefined);
        continue;
      }
      const r = rec.value;
      if (TERMINAL.has(r.status)) {
        // Committed by someone whose mirror update did not happen (it died): repair.
        await this.mirror(video._id, task, r);
        video.tasks[task] = taskView(r);
        continue;
      }
      if (r.status === 'running' && (r.leaseUntil ?? 0) > now) continue;
      if (r.status === 'retrying' && (r.nextAttemptAt ?? 0) > now) continue;
      if (waitsFor(TASK_SPECS[task], video).some((t) => !TERMINAL.has(video.tasks[t]?.status ?? 'pending')))
        continue;
      if (this.active.size >= this.s.concurrency || this.stopped) break;
      if (r.attempt >= this.s.maxAttempts) {
        // Its last attempt died with its replica: give up with the reason.
        const failed: TaskRecord = {
          ...r,
          status: 'failed',
          finishedAt: new Date().toISOString(),
          lastError: r.lastError ?? 'the replica running it stopped',
        };
        await this.commitEnd(video._id, task, failed, rec.etag);
        this.metrics.ended(task, 'failed');
        continue;
      }
      // A processor that is not ready (restarting, loading its model, its sidecar down) would
      // only fail the call and spend an attempt: the task waits for it instead.
      if (!(await this.d.processors.ready(task))) continue;
      const claim: TaskRecord = {
        status: 'running',
        attempt: r.attempt + 1,
        owner: this.d.replicaId,
        leaseUntil: now + this.s.leaseMs,
        startedAt: new Date(now).toISOString(),
        ...(r.lastError ? { lastError: r.lastError } : {}),
        ...(r.traceparent ? { traceparent: r.traceparent } : {}),
      };
      let etag: string;
      try {
        etag = await this.d.state.write(video._id, task, claim, rec.etag);
      } catch (err) {
        if (err instanceof EtagMismatchError) continue; // another replica was faster
        throw err;
      }
      this.metrics.started(task);
      const ac = new AbortController();
      this.active.set(`${video._id}:${task}`, ac);
      void this.d.track(
        continueTrace(`task ${task}`, claim.traceparent, () =>
          this.run(video._id, task, claim, etag, ac),
        ).finally(() => {
          this.active.delete(`${video._id}:${task}`);
          this.wake();
        }),
      );
    }
    await this.maybeFinish(video._id);
  }

  private async run(
    videoId: string,
    task: TaskName,
    claim: TaskRecord,
    firstEtag: string,
    ac: AbortController,
  ): Promise<void> {
    const { catalog, state, blobs, events, logger } = this.d;
    const attempt = claim.attempt;
    const taskId = `${videoId}:${task}:${attempt}`;
    const base = { videoId, task, taskId, attempt };
    const log = logger.child({ videoId, task, attempt });
    let etag = firstEtag;
    let lost = false;
    const began = performance.now();
    const seconds = () => (performance.now() - began) / 1000;
    let mediaSeconds: number | undefined;

    await catalog.setTask(videoId, task, { ...taskView(claim), progress: 0 });
    await events.publish(TOPICS.taskStarted, { ...base, at: new Date().toISOString() });
    // Whatever an earlier, abandoned attempt left behind goes first.
    await blobs.deleteOwned({ videoId, role: task });

    const renew = setInterval(
      async () => {
        try {
          const video = await catalog.get(videoId);
          if (video?.status !== 'processing') {
            ac.abort(new Cancelled('the video was cancelled or deleted'));
            return;
          }
          etag = await state.write(
            videoId,
            task,
            { ...claim, leaseUntil: Date.now() + this.s.leaseMs },
            etag,
          );
        } catch (err) {
          lost = true;
          ac.abort(
            err instanceof EtagMismatchError ? new Cancelled('another replica took the task over') : err,
          );
        }
      },
      Math.max(500, Math.floor(this.s.leaseMs / 3)),
    );

    try {
      const video = await catalog.get(videoId);
      if (video?.status !== 'processing') throw new Cancelled('the video was cancelled or deleted');
      mediaSeconds = video.media.durationSec;
      const original = await blobs.stat(video.originalBlobId);
      if (!original) throw new Error('the original file is missing from storage');
      const spec = TASK_SPECS[task];
      const answer = await this.d.processors.call({
        task,
        method: spec.method,
        videoId,
        taskId,
        original: {
          blobId: original.id,
          filename: video.filename,
          contentType: original.contentType,
          size: original.size,
        },
        fields: spec.fields(video),
        owner: { videoId, role: task, attempt },
        signal: ac.signal,
      });
      clearInterval(renew);
      const done: TaskRecord = {
        status: 'done',
        attempt,
        startedAt: claim.startedAt as string,
        finishedAt: new Date().toISOString(),
        result: answer.result,
        outputs: answer.outputs,
      };
      // The commit point: only an attempt that still holds the task keeps its outputs.
      await this.commitEnd(videoId, task, done, etag);
      this.metrics.ended(task, 'done', seconds(), mediaSeconds);
      log.info({ outputs: answer.outputs.length }, 'task done');
    } catch (err) {
      clearInterval(renew);
      await blobs.deleteOwned({ videoId, role: task, attempt }).catch(() => undefined);
      const reason = ac.signal.reason instanceof Cancelled ? ac.signal.reason : err;
      if (reason instanceof Cancelled || lost || err instanceof EtagMismatchError) {
        log.info({ reason: (reason as Error).message }, 'task stopped');
        this.metrics.ended(task, 'stopped', seconds());
        return;
      }
      const message = (err as Error).message ?? String(err);
      const permanent = err instanceof ProcessorError && err.permanent;
      const now = Date.now();
      if (!permanent && attempt < this.s.maxAttempts) {
        const wait = backoffMs(attempt, this.s.backoffBaseMs, this.s.backoffMaxMs);
        const retry: TaskRecord = {
          status: 'retrying',
          attempt,
          lastError: message,
          nextAttemptAt: now + wait,
          ...(claim.traceparent ? { traceparent: claim.traceparent } : {}),
        };
        log.warn({ err: message, retryInMs: wait }, 'task failed; will retry');
        this.metrics.ended(task, 'retried', seconds());
        try {
          await state.write(videoId, task, retry, etag);
          await catalog.setTask(videoId, task, taskView(retry));
          await events.publish(TOPICS.taskFailed, {
            ...base,
            error: message,
            willRetry: true,
            at: new Date(now).toISOString(),
          });
        } catch (e) {
          if (!(e instanceof EtagMismatchError)) throw e;
        }
        return;
      }
      log.warn({ err: message, permanent }, 'task failed for good');
      this.metrics.ended(task, 'failed', seconds());
      const failed: TaskRecord = {
        status: 'failed',
        attempt,
        lastError: message,
        finishedAt: new Date(now).toISOString(),
        ...(claim.startedAt ? { startedAt: claim.startedAt } : {}),
      };
      await this.commitEnd(videoId, task, failed, etag).catch((e) => {
        if (!(e instanceof EtagMismatchError)) throw e;
      });
    }
  }

  /** Writes a task's end state (ETag-checked), then its mirror, events and the video's end. */
  private async commitEnd(
    videoId: string,
    task: TaskName,
    end: TaskRecord,
    etag: string | undefined,
  ): Promise<void> {
    try {
      await this.d.state.write(videoId, task, end, etag);
    } catch (err) {
      if (end.outputs?.length) await this.d.blobs.deleteOwned({ videoId, role: task, attempt: end.attempt });
      throw err;
    }
    if (end.status === 'done') {
      // Keep only this attempt's files for the task.
      await this.d.blobs.deleteOwned({ videoId, role: task }, { role: task, attempt: end.attempt });
    }
    await this.mirror(videoId, task, end);
    const base = {
      videoId,
      task,
      taskId: `${videoId}:${task}:${end.attempt}`,
      attempt: end.attempt,
      at: end.finishedAt,
    };
    if (end.status === 'done')
      await this.d.events.publish(TOPICS.taskCompleted, { ...base, outputs: end.outputs?.length ?? 0 });
    if (end.status === 'failed')
      await this.d.events.publish(TOPICS.taskFailed, { ...base, error: end.lastError, willRetry: false });
    await this.maybeFinish(videoId);
  }

  private async mirror(videoId: string, task: TaskName, r: TaskRecord): Promise<void> {
    await this.d.catalog.setTask(
      videoId,
      task,
      taskView(r),
      r.status === 'done' ? resultFacts(task, r.result) : {},
    );
  }

  /** Ends the video once every task has ended; exactly one caller publishes video.completed. */
  private async maybeFinish(videoId: string): Promise<void> {
    const video = await this.d.catalog.get(videoId);
    if (video?.status !== 'processing') return;
    const views = video.requestedTasks.map((t) => video.tasks[t]);
    if (!views.every((v) => v && TERMINAL.has(v.status))) return;
    const failed = views.filter((v) => v?.status === 'failed').length;
    const ran = views.filter((v) => v?.status !== 'skipped').length;
    const status: VideoStatus = failed === 0 ? 'completed' : failed === ran ? 'failed' : 'partial';
    if (await this.d.catalog.finish(videoId, status)) {
      await this.d.events.publish(TOPICS.videoCompleted, { videoId, status, at: new Date().toISOString() });
    }
  }
}
