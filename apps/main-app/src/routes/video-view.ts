import type { Video } from '../domain/model.js';

/** The public shape of a video: no storage ids, links instead. */
export function videoView(v: Video) {
  const base = `/api/videos/${v._id}`;
  return {
    id: v._id,
    title: v.title,
    filename: v.filename,
    status: v.status,
    size: v.size,
    sha256: v.sha256,
    media: v.media,
    language: v.detectedLanguage ?? null,
    uploaderLanguage: v.language ?? null,
    species: v.species ?? [],
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    completedAt: v.completedAt ?? null,
    tasks: Object.fromEntries(
      v.requestedTasks.map((t) => {
        const view = v.tasks[t];
        return [
          t,
          {
            ...view,
            outputs: (view?.outputs ?? []).map((o) => ({
              name: o.name,
              filename: o.filename,
              contentType: o.contentType,
              size: o.size,
              url: `${base}/outputs/${t}/${encodeURIComponent(o.name)}`,
            })),
          },
        ];
      }),
    ),
    links: { self: base, original: `${base}/original`, events: `${base}/events` },
  };
}
