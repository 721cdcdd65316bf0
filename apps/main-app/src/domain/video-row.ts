import type { TaskName } from '@vidp/contracts';
import type { TaskStatus, Video, VideoStatus } from './model.js';

/**
 * What a list of videos needs of each one: a small projection of the catalog document
 * (no task results, no media details). The read model holds these; the database query
 * fetches only these fields.
 */
export interface VideoRow {
  _id: string;
  title: string;
  status: VideoStatus;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  media: { durationSec: number };
  detectedLanguage?: string;
  species?: string[];
  requestedTasks: TaskName[];
  tasks: Partial<Record<TaskName, { status: TaskStatus; progress?: number; outputs?: { name: string }[] }>>;
}

/** The downscale output a library page shows as the video's picture. */
export const POSTER_OUTPUT = 'poster';

/** The MongoDB projection that reads a document as a `VideoRow`. */
export const ROW_PROJECTION = {
  _id: 1,
  title: 1,
  status: 1,
  createdAt: 1,
  updatedAt: 1,
  completedAt: 1,
  'media.durationSec': 1,
  detectedLanguage: 1,
  species: 1,
  requestedTasks: 1,
  'tasks.langscale.status': 1,
  'tasks.langscale.progress': 1,
  'tasks.subtitle.status': 1,
  'tasks.subtitle.progress': 1,
  'tasks.animal-detect.status': 1,
  'tasks.animal-detect.progress': 1,
  'tasks.downscale.status': 1,
  'tasks.downscale.progress': 1,
  'tasks.downscale.outputs.name': 1,
} as const;

/** A full document reduced to its row (what the projection would have read). */
export function rowOf(v: Video): VideoRow {
  const tasks: VideoRow['tasks'] = {};
  for (const [name, view] of Object.entries(v.tasks) as [TaskName, Video['tasks'][TaskName]][]) {
    if (!view) continue;
    tasks[name] = {
      status: view.status,
      ...(view.progress !== undefined ? { progress: view.progress } : {}),
      ...(name === 'downscale' && view.outputs
        ? { outputs: view.outputs.map((o) => ({ name: o.name })) }
        : {}),
    };
  }
  return {
    _id: v._id,
    title: v.title,
    status: v.status,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    ...(v.completedAt ? { completedAt: v.completedAt } : {}),
    media: { durationSec: v.media.durationSec },
    ...(v.detectedLanguage ? { detectedLanguage: v.detectedLanguage } : {}),
    ...(v.species ? { species: v.species } : {}),
    requestedTasks: v.requestedTasks,
    tasks,
  };
}
