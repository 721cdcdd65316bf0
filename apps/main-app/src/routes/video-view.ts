import type { TaskName } from '@vidp/contracts';
import type { Video } from '../domain/model.js';
import { POSTER_OUTPUT, STORYBOARD_OUTPUT, type VideoRow } from '../domain/video-row.js';
import type { VideoDetailView, VideoSummaryView } from './view-schemas.js';

const base = (id: string) => `/api/videos/${id}`;
const outputUrl = (id: string, task: TaskName, name: string) =>
  `${base(id)}/outputs/${task}/${encodeURIComponent(name)}`;

/** The public shape of a video: no storage ids, links instead. */
export function videoView(v: Video): VideoDetailView {
  const self = base(v._id);
  return {
    id: v._id,
    title: v.title,
    filename: v.filename,
    status: v.status,
    size: v.size,
    sha256: v.sha256,
    media: {
      container: v.media.container,
      durationSec: v.media.durationSec,
      sizeBytes: v.media.sizeBytes,
      ...(v.media.video ? { video: v.media.video } : {}),
      ...(v.media.audio ? { audio: v.media.audio } : {}),
    },
    language: v.detectedLanguage ?? null,
    uploaderLanguage: v.language ?? null,
    species: v.species ?? [],
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    completedAt: v.completedAt ?? null,
    tasks: Object.fromEntries(
      v.requestedTasks.map((t) => {
        const view = v.tasks[t] ?? { status: 'pending' as const, attempts: 0 };
        return [
          t,
          {
            ...view,
            outputs: (view.outputs ?? []).map((o) => ({
              name: o.name,
              filename: o.filename,
              contentType: o.contentType,
              size: o.size,
              url: outputUrl(v._id, t, o.name),
            })),
          },
        ];
      }),
    ),
    links: { self, original: `${self}/original`, events: `${self}/events` },
  };
}

/** A list item: what a library page shows of a video (the whole of it is at `links.self`). */
export function summaryView(r: VideoRow): VideoSummaryView {
  const self = base(r._id);
  const downscale = r.tasks.downscale?.status === 'done' ? r.tasks.downscale : undefined;
  const has = (name: string) => downscale?.outputs?.some((o) => o.name === name) ?? false;
  const geometry = downscale?.result?.storyboard;
  return {
    id: r._id,
    title: r.title,
    status: r.status,
    createdAt: r.createdAt,
    completedAt: r.completedAt ?? null,
    durationSec: r.media?.durationSec ?? 0,
    width: r.media?.video?.width ?? null,
    height: r.media?.video?.height ?? null,
    language: r.detectedLanguage ?? null,
    species: r.species ?? [],
    poster: has(POSTER_OUTPUT) ? outputUrl(r._id, 'downscale', POSTER_OUTPUT) : null,
    storyboard:
      geometry && has(STORYBOARD_OUTPUT)
        ? { url: outputUrl(r._id, 'downscale', STORYBOARD_OUTPUT), ...geometry }
        : null,
    tasks: Object.fromEntries(
      r.requestedTasks.map((t) => {
        const view = r.tasks[t];
        return [
          t,
          {
            status: view?.status ?? 'pending',
            ...(view?.progress !== undefined && view.status === 'running' ? { progress: view.progress } : {}),
          },
        ];
      }),
    ),
    links: { self, events: `${self}/events` },
  };
}
