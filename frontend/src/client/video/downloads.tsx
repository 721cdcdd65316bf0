'use client';

import { formatBytes } from '@/shared/format';
import { renditions, subtitleFiles } from '@/shared/results';
import { TASK_LABELS, TASKS, type VideoView } from '@/shared/video';

const dl = (url: string) => `${url}${url.includes('?') ? '&' : '?'}download=1`;

/** Every file worth keeping: renditions, subtitles, the results as JSON, the original. */
export function Downloads({ video }: { video: VideoView }) {
  const ladder = renditions(video);
  const { vtt, srt } = subtitleFiles(video);
  const results = TASKS.filter((t) => video.tasks[t]?.result !== undefined);
  return (
    <section className="panel downloads" aria-labelledby="dl-h">
      <h2 id="dl-h">Downloads</h2>
      <ul>
        {ladder.map((r) => (
          <li key={r.output.url}>
            <a href={dl(r.output.url)} download={`${video.title}-${r.label}.mp4`}>
              {r.label} MP4
            </a>{' '}
            <span className="muted small">
              {r.width}×{r.height}, {formatBytes(r.output.size)}
            </span>
          </li>
        ))}
        {vtt ? (
          <li>
            <a href={dl(vtt.url)} download="subtitles.vtt">
              Subtitles (WebVTT)
            </a>
          </li>
        ) : null}
        {srt ? (
          <li>
            <a href={dl(srt.url)} download="subtitles.srt">
              Subtitles (SRT)
            </a>
          </li>
        ) : null}
        {results.map((t) => (
          <li key={t}>
            <a href={`/api/videos/${video.id}/results/${t}`} download={`${t}.json`}>
              {TASK_LABELS[t]} results (JSON)
            </a>
          </li>
        ))}
        <li>
          <a
            href={`/api/videos/${video.id}/original?download=1&name=${encodeURIComponent(video.filename)}`}
            download={video.filename}
          >
            Original file
          </a>{' '}
          <span className="muted small">{formatBytes(video.size)}</span>
        </li>
      </ul>
    </section>
  );
}
