import type { TaskName } from '@vidp/contracts';

/** How one attempt of a task ended, as the metrics count it. */
export type TaskOutcome = 'done' | 'failed' | 'retried' | 'stopped';
export const TASK_OUTCOMES: readonly TaskOutcome[] = ['done', 'failed', 'retried', 'stopped'];

/** What the orchestrator reports about the tasks it runs (the metrics adapter counts it). */
export interface TaskMetrics {
  started(task: TaskName): void;
  /** `seconds` is the attempt's duration; `mediaSeconds` the source's length, for a task done. */
  ended(task: TaskName, outcome: TaskOutcome, seconds?: number, mediaSeconds?: number): void;
}

export const noTaskMetrics: TaskMetrics = { started: () => undefined, ended: () => undefined };
