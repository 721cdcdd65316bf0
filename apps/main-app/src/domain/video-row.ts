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
  media: { durationSec: number; video?: { width: number; height: number } };
  detectedLanguage?: string;
  species?: string[];
  /** The words `q=` searches (never sent in a list answer). */
  titleTerms?: string[];
  transcriptTerms?: string[];
  requestedTasks: TaskName[];
  tasks: Partial<Record<TaskName, RowTask>>;
}

export interface RowTask {
  status: TaskStatus;
  progress?: number;
  /** downscale only: the names of its outputs, and its storyboard's geometry. */
  outputs?: { name: string }[];
  result?: { storyboard?: StoryboardGeometry | null };
}

/** How a player cuts the storyboard image into thumbnails (as downscale answers it). */
export interface StoryboardGeometry {
  columns: number;
  rows: number;
  count: number;
  thumbWidth: number;
  thumbHeight: number;
  intervalSec: number;
}

/** The downscale outputs a library page shows: the picture, and thumbnails to scrub. */
export const POSTER_OUTPUT = 'poster';
export const STORYBOARD_OUTPUT = 'storyboard';
const GEOMETRY = ['columns', 'rows', 'count', 'thumbWidth', 'thumbHeight', 'intervalSec'] as const;

/** The MongoDB projection that reads a document as a `VideoRow`. */
export const ROW_PROJECTION = {
  _id: 1,
  title: 1,
  status: 1,
  createdAt: 1,
  updatedAt: 1,
  completedAt: 1,
  'media.durationSec': 1,
  'media.video.width': 1,
  'media.video.height': 1,
  detectedLanguage: 1,
  species: 1,
  titleTerms: 1,
  transcriptTerms: 1,
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
  ...Object.fromEntries(GEOMETRY.map((k) => [`tasks.downscale.result.storyboard.${k}`, 1])),
} as const;

function storyboardOf(result: unknown): RowTask['result'] | undefined {
  const sb = (result as { storyboard?: Record<string, unknown> } | undefined)?.storyboard;
  if (!sb || typeof sb !== 'object') return undefined;
  return {
    storyboard: Object.fromEntries(
      GEOMETRY.filter((k) => k in sb).map((k) => [k, sb[k]]),
    ) as unknown as StoryboardGeometry,
  };
}

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
    const storyboard = name === 'downscale' ? storyboardOf(view.result) : undefined;
    if (storyboard) (tasks[name] as RowTask).result = storyboard;
  }
  return {
    _id: v._id,
    title: v.title,
    status: v.status,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    ...(v.completedAt ? { completedAt: v.completedAt } : {}),
    media: {
      durationSec: v.media.durationSec,
      ...(v.media.video ? { video: { width: v.media.video.width, height: v.media.video.height } } : {}),
    },
    ...(v.detectedLanguage ? { detectedLanguage: v.detectedLanguage } : {}),
    ...(v.species ? { species: v.species } : {}),
    ...(v.titleTerms ? { titleTerms: v.titleTerms } : {}),
    ...(v.transcriptTerms ? { transcriptTerms: v.transcriptTerms } : {}),
    requestedTasks: v.requestedTasks,
    tasks,
  };
}
