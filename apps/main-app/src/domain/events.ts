import type { TaskName } from '@vidp/contracts';

/** How the domain announces what happened; pub/sub in production. */
export interface EventPublisher {
  publish(topic: string, data: Record<string, unknown>): Promise<void>;
}

export interface TaskEvent extends Record<string, unknown> {
  videoId: string;
  task: TaskName;
  taskId: string;
  attempt: number;
  at: string;
}
