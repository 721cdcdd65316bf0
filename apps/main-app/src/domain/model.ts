import type { TaskName } from '@vidp/contracts';

export type TaskStatus = 'pending' | 'running' | 'retrying' | 'done' | 'failed' | 'skipped' | 'cancelled';
export type VideoStatus = 'processing' | 'completed' | 'partial' | 'failed' | 'cancelled';

export const TERMINAL: ReadonlySet<TaskStatus> = new Set(['done', 'failed', 'skipped', 'cancelled']);

/** A stored output of a task (rendition, poster, subtitle file, best frame...). */
export interface OutputRef {
  /** The part name the processor gave it, unique within the task. */
  name: string;
  blobId: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface TaskView {
  status: TaskStatus;
  attempts: number;
  progress?: number;
  startedAt?: string;
  finishedAt?: string;
  lastError?: string;
  reason?: string;
  result?: unknown;
  outputs?: OutputRef[];
}

export interface MediaSummary {
  container: string;
  durationSec: number;
  sizeBytes: number;
  video?: { codec: string; width: number; height: number; fps: number; rotation: number };
  audio?: { codec: string; channels: number; sampleRate: number };
}

export interface Video {
  _id: string;
  title: string;
  filename: string;
  sha256: string;
  size: number;
  media: MediaSummary;
  /** What the uploader said the spoken language is, if anything. */
  language?: string;
  /** Filled from langscale's result (or the uploader's language). */
  detectedLanguage?: string;
  /** Species found by animal-detect, for filtering. */
  species?: string[];
  /** Distinct words of the title and of the subtitles, for `q=` search (never shown). */
  titleTerms?: string[];
  transcriptTerms?: string[];
  originalBlobId: string;
  requestedTasks: TaskName[];
  tasks: Partial<Record<TaskName, TaskView>>;
  status: VideoStatus;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
}
