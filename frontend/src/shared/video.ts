// The shapes the browser sees. A video is main-app's own view (its links are paths that the web
// app serves too, under the same names); the library gets small cards instead.

export const TASKS = ['langscale', 'subtitle', 'animal-detect', 'downscale'] as const;
export type TaskName = (typeof TASKS)[number];

export const TASK_LABELS: Record<TaskName, string> = {
  langscale: 'Language',
  subtitle: 'Subtitles',
  'animal-detect': 'Animals',
  downscale: 'Renditions',
};

export type TaskStatus = 'pending' | 'running' | 'retrying' | 'done' | 'failed' | 'skipped' | 'cancelled';
export type VideoStatus = 'processing' | 'completed' | 'partial' | 'failed' | 'cancelled';
export const VIDEO_STATUSES: VideoStatus[] = ['processing', 'completed', 'partial', 'failed', 'cancelled'];

export interface OutputView {
  name: string;
  filename: string;
  contentType: string;
  size: number;
  url: string;
}

export interface TaskView {
  status: TaskStatus;
  attempts: number;
  progress?: number;
  /** Set from task.progress events while it runs (not stored by main-app). */
  stage?: string;
  startedAt?: string;
  finishedAt?: string;
  lastError?: string;
  reason?: string;
  result?: unknown;
  outputs: OutputView[];
}

export interface VideoView {
  id: string;
  title: string;
  filename: string;
  status: VideoStatus;
  size: number;
  sha256: string;
  media: {
    container: string;
    durationSec: number;
    sizeBytes: number;
    video?: { codec: string; width: number; height: number; fps: number; rotation: number };
    audio?: { codec: string; channels: number; sampleRate: number };
  };
  language: string | null;
  uploaderLanguage: string | null;
  species: string[];
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  tasks: Partial<Record<TaskName, TaskView>>;
}

export interface StoryboardView {
  url: string;
  columns: number;
  rows: number;
  count: number;
  thumbWidth: number;
  thumbHeight: number;
  intervalSec: number;
}

/** One video in the library grid: only what a card shows. */
export interface LibraryCard {
  id: string;
  title: string;
  status: VideoStatus;
  createdAt: string;
  durationSec: number;
  tasks: Partial<Record<TaskName, { status: TaskStatus; progress?: number }>>;
  language: string | null;
  species: string[];
  poster: string | null;
  storyboard: StoryboardView | null;
}

export interface LibraryPage {
  items: LibraryCard[];
  total: number;
  limit: number;
  offset: number;
}

export interface TranscriptCue {
  start: number;
  end: number;
  text: string;
}

export interface Transcript {
  language: string | null;
  cues: TranscriptCue[];
}
