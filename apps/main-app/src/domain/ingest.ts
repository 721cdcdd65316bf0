import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { TASKS, type TaskName, TOPICS } from '@vidp/contracts';
import {
  beyondLimits,
  type MediaInfo,
  type MediaLimits,
  probeMedia,
  UnsupportedMediaError,
} from '@vidp/media';
import { activeTraceparent } from '@vidp/service-kit';
import type { BlobStore } from '../adapters/blob-store.js';
import type { Catalog } from '../adapters/catalog.js';
import type { TaskStateStore } from '../adapters/task-state.js';
import type { EventPublisher } from './events.js';
import type { MediaSummary, TaskView, Video } from './model.js';
import { searchTerms } from './search-terms.js';
import { skipReason, TASK_SPECS } from './tasks.js';

/** A bad upload: `status` and `message` go to the uploader as they are. */
export class IngestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface StagedUpload {
  path: string;
  size: number;
  sha256: string;
  filename: string;
}

export interface IngestRequest {
  file: StagedUpload;
  title?: string;
  language?: string;
  tasks: TaskName[];
}

export interface IngestDeps {
  catalog: Catalog;
  blobs: BlobStore;
  state: TaskStateStore;
  events: EventPublisher;
  /** What a video may claim to be (length, picture size) before it is stored. */
  mediaLimits: MediaLimits;
}

const CONTAINER_TYPES: Record<string, string> = {
  mov: 'video/mp4',
  matroska: 'video/x-matroska',
  avi: 'video/x-msvideo',
  mpegts: 'video/mp2t',
  flv: 'video/x-flv',
  ogg: 'video/ogg',
  asf: 'video/x-ms-asf',
  mpeg: 'video/mpeg',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  aac: 'audio/aac',
};

/** The MIME type from what ffprobe found, never from the client. */
export function contentTypeOf(info: MediaInfo): string {
  const demuxer = info.format.split(',')[0] ?? '';
  if (demuxer === 'matroska' && info.video?.codec.startsWith('vp')) return 'video/webm';
  return CONTAINER_TYPES[demuxer] ?? 'application/octet-stream';
}

function summary(info: MediaInfo): MediaSummary {
  return {
    container: info.format,
    durationSec: info.durationSec,
    sizeBytes: info.sizeBytes,
    ...(info.video
      ? {
          video: {
            codec: info.video.codec,
            width: info.video.displayWidth,
            height: info.video.displayHeight,
            fps: Math.round(info.video.fps * 1000) / 1000,
            rotation: info.video.rotation,
          },
        }
      : {}),
    ...(info.audio ? { audio: { ...info.audio } } : {}),
  };
}

/**
 * Turns a staged upload into a catalogued video: probe (media is identified by its bytes),
 * dedupe by SHA-256, store the original, create the task records, announce it.
 * Anything wrong leaves nothing behind: no blob, no record.
 */
export async function ingest(
  d: IngestDeps,
  req: IngestRequest,
): Promise<{ video: Video; duplicate: boolean }> {
  if (req.file.size === 0) throw new IngestError(400, 'The file is empty.');
  const existing = await d.catalog.findBySha(req.file.sha256);
  if (existing) return { video: existing, duplicate: true };

  let info: MediaInfo;
  try {
    info = await probeMedia(req.file.path);
  } catch (err) {
    if (err instanceof UnsupportedMediaError) throw new IngestError(415, err.message);
    throw err;
  }
  if (!info.video && !info.audio) throw new IngestError(415, 'The file has no video or audio stream.');
  if (!(info.durationSec > 0)) throw new IngestError(415, 'The media has no duration: is the file complete?');
  const beyond = beyondLimits(info, d.mediaLimits);
  if (beyond) throw new IngestError(422, beyond);

  const id = randomUUID();
  const now = new Date().toISOString();
  const contentType = contentTypeOf(info);
  const media = summary(info);
  const tasks: Partial<Record<TaskName, TaskView>> = {};
  for (const t of req.tasks) {
    const reason = skipReason(TASK_SPECS[t], media);
    tasks[t] = reason ? { status: 'skipped', attempts: 0, reason } : { status: 'pending', attempts: 0 };
  }
  const blob = await d.blobs.put(createReadStream(req.file.path), {
    filename: req.file.filename,
    contentType,
    owner: { videoId: id, role: 'original' },
  });
  const title = req.title?.trim() || req.file.filename;
  const video: Video = {
    _id: id,
    title,
    titleTerms: searchTerms(title),
    filename: req.file.filename,
    sha256: req.file.sha256,
    size: req.file.size,
    media,
    ...(req.language ? { language: req.language, detectedLanguage: req.language } : {}),
    originalBlobId: blob.id,
    requestedTasks: req.tasks,
    tasks,
    status: req.tasks.every((t) => tasks[t]?.status === 'skipped') ? 'completed' : 'processing',
    createdAt: now,
    updatedAt: now,
  };
  const traceparent = activeTraceparent();
  try {
    for (const t of req.tasks) {
      const view = tasks[t] as TaskView;
      await d.state.write(
        id,
        t,
        {
          status: view.status,
          attempt: 0,
          ...(view.reason ? { reason: view.reason } : {}),
          ...(traceparent ? { traceparent } : {}),
        },
        undefined,
      );
    }
    const { video: stored, created } = await d.catalog.insert(video);
    if (!created) {
      // An identical upload won the race a moment ago: it is the video.
      await cleanup(d, id, req.tasks);
      return { video: stored, duplicate: true };
    }
  } catch (err) {
    await cleanup(d, id, req.tasks);
    throw err;
  }
  await d.events.publish(TOPICS.videoUploaded, { videoId: id, tasks: req.tasks, at: now });
  if (video.status === 'completed')
    await d.events.publish(TOPICS.videoCompleted, { videoId: id, status: 'completed', at: now });
  return { video, duplicate: false };
}

async function cleanup(d: IngestDeps, videoId: string, tasks: TaskName[]): Promise<void> {
  await d.blobs.deleteOwned({ videoId });
  for (const t of tasks) await d.state.remove(videoId, t).catch(() => undefined);
}

export function parseTaskList(raw: string | undefined): TaskName[] {
  if (raw === undefined || raw.trim() === '') return [...TASKS];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(TASKS as readonly string[]).includes(n));
  if (unknown.length) {
    throw new IngestError(400, `Unknown task(s): ${unknown.join(', ')}. Known tasks: ${TASKS.join(', ')}.`);
  }
  return [...new Set(names)] as TaskName[];
}
