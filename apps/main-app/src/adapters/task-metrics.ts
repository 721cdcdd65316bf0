import { TASKS, type TaskName } from '@vidp/contracts';
import type { Collection } from 'mongodb';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Video } from '../domain/model.js';
import { TASK_OUTCOMES, type TaskMetrics, type TaskOutcome } from '../domain/task-metrics.js';
import type { VideoRow } from '../domain/video-row.js';

/** Task statuses that wait for a replica to pick them up (a retry waits for its backoff). */
const WAITING = new Set(['pending', 'retrying']);

/**
 * The task metrics of the dashboards and alerts (observability/): attempts started and ended by
 * task and outcome, their durations, the media seconds processed, and the queue (waiting and
 * running tasks, the oldest waiting one's age), read from the catalog at each scrape so every
 * replica reports the whole queue. Every task and outcome is exported from the start, at zero.
 * `inMemory` gives the videos in processing from the catalog's read model when it is live: on
 * FerretDB the query reads every video (3.8 CPU-s a scrape with 1,000 of them).
 */
export function taskMetrics(
  registry: Registry,
  videos: Collection<Video>,
  inMemory: () => Pick<VideoRow, 'createdAt' | 'tasks'>[] | undefined = () => undefined,
): TaskMetrics {
  const started = new Counter({
    name: 'vidp_tasks_started_total',
    help: 'Task attempts started by this replica.',
    labelNames: ['task'],
    registers: [registry],
  });
  const ended = new Counter({
    name: 'vidp_tasks_ended_total',
    help: 'Task attempts ended by this replica, by outcome: done, failed (for good), retried, stopped (cancelled or taken over).',
    labelNames: ['task', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'vidp_task_duration_seconds',
    help: 'Duration of task attempts, from claim to end, by outcome.',
    labelNames: ['task', 'outcome'],
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 2700, 3600],
    registers: [registry],
  });
  const media = new Counter({
    name: 'vidp_media_seconds_processed_total',
    help: 'Seconds of source media of the tasks done.',
    labelNames: ['task'],
    registers: [registry],
  });
  // One query per scrape, whatever the number of gauges; a failed read keeps the last values.
  let refreshing: Promise<void> | undefined;
  const refresh = async () => {
    const projection = Object.fromEntries([['createdAt', 1], ...TASKS.map((t) => [`tasks.${t}.status`, 1])]);
    const docs = inMemory() ?? (await videos.find({ status: 'processing' }, { projection }).toArray());
    const now = Date.now();
    for (const task of TASKS) {
      let w = 0;
      let r = 0;
      let since = now;
      for (const v of docs) {
        const status = v.tasks?.[task]?.status;
        if (status === 'running') r++;
        if (status && WAITING.has(status)) {
          w++;
          since = Math.min(since, Date.parse(v.createdAt) || now);
        }
      }
      waiting.set({ task }, w);
      running.set({ task }, r);
      oldest.set({ task }, (now - since) / 1000);
    }
  };
  const collect = async () => {
    refreshing ??= refresh()
      .catch(() => undefined)
      .finally(() => {
        refreshing = undefined;
      });
    await refreshing;
  };
  // prom-client awaits a gauge's collect() before reading it; the three share one refresh.
  const waiting = new Gauge({
    name: 'vidp_tasks_waiting',
    help: 'Tasks of videos in processing that wait to be run (pending or retrying), in the whole catalog.',
    labelNames: ['task'],
    registers: [registry],
    collect,
  });
  const running = new Gauge({
    name: 'vidp_tasks_running',
    help: 'Tasks of videos in processing that a replica is running, in the whole catalog.',
    labelNames: ['task'],
    registers: [registry],
    collect,
  });
  const oldest = new Gauge({
    name: 'vidp_task_oldest_waiting_seconds',
    help: 'Age of the oldest waiting task (since its video was uploaded); 0 when none waits.',
    labelNames: ['task'],
    registers: [registry],
    collect,
  });
  for (const task of TASKS) {
    started.inc({ task }, 0);
    media.inc({ task }, 0);
    for (const outcome of TASK_OUTCOMES) {
      ended.inc({ task, outcome }, 0);
      duration.zero({ task, outcome });
    }
  }

  return {
    started: (task: TaskName) => started.inc({ task }),
    ended(task: TaskName, outcome: TaskOutcome, seconds?: number, mediaSeconds?: number) {
      ended.inc({ task, outcome });
      if (seconds !== undefined) duration.observe({ task, outcome }, seconds);
      if (outcome === 'done' && mediaSeconds && mediaSeconds > 0) media.inc({ task }, mediaSeconds);
    },
  };
}
