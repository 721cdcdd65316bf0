/** The Dapr components every app refers to by name. */
export const PUBSUB = 'vidp-pubsub';
export const STATE_STORE = 'vidp-state';
export const SECRET_STORE = 'vidp-secrets';

/** The processing tasks, each served by the app of the same name. */
export const TASKS = ['langscale', 'subtitle', 'animal-detect', 'downscale'] as const;
export type TaskName = (typeof TASKS)[number];

/**
 * Headers main-app sends with every processor call, so a processor can report progress
 * on pub/sub without knowing anything else about the job.
 */
export const HEADER_VIDEO_ID = 'x-vidp-video-id';
export const HEADER_TASK_ID = 'x-vidp-task-id';

export const TOPICS = {
  videoUploaded: 'video.uploaded',
  taskStarted: 'task.started',
  taskProgress: 'task.progress',
  taskCompleted: 'task.completed',
  taskFailed: 'task.failed',
  videoCompleted: 'video.completed',
  videoCancelled: 'video.cancelled',
  videoDeleted: 'video.deleted',
} as const;

export interface TaskProgressEvent {
  videoId: string;
  taskId: string;
  task: TaskName;
  /** 0..1 */
  progress: number;
  stage?: string;
  at: string;
}

/**
 * Where a processor publishes progress for the call it is serving: taken from the headers
 * main-app sends; undefined for a direct call without them (no progress then).
 */
export function progressTargetFromHeaders(
  headers: Record<string, string | string[] | undefined>,
  task: TaskName,
): { pubsubName: string; topic: string; fields: Record<string, string> } | undefined {
  const videoId = headers[HEADER_VIDEO_ID];
  const taskId = headers[HEADER_TASK_ID];
  if (typeof videoId !== 'string' || typeof taskId !== 'string') return undefined;
  return { pubsubName: PUBSUB, topic: TOPICS.taskProgress, fields: { videoId, taskId, task } };
}

export * from './animals.js';
