'use client';

import Link from 'next/link';
import { useState } from 'react';
import { durationLabel, formatDuration, languageName } from '@/shared/format';
import { type LibraryCard, TASK_LABELS, TASKS } from '@/shared/video';
import { taskStatusText } from '../video/status';

/** A video in the grid: poster (scrubbing through the storyboard on hover), title, facts. */
export function VideoCard({ card, eager }: { card: LibraryCard; eager: boolean }) {
  const [tile, setTile] = useState<number | null>(null);
  const sb = card.storyboard;
  const onMove = (e: React.PointerEvent<HTMLDivElement>) => {
    if (!sb) return;
    const r = e.currentTarget.getBoundingClientRect();
    const f = Math.min(0.999, Math.max(0, (e.clientX - r.left) / r.width));
    setTile(Math.floor(f * sb.count));
  };
  const scrub =
    sb && tile !== null
      ? {
          backgroundImage: `url(${sb.url})`,
          backgroundSize: `${sb.columns * 100}% ${sb.rows * 100}%`,
          backgroundPosition: `${sb.columns > 1 ? ((tile % sb.columns) / (sb.columns - 1)) * 100 : 0}% ${
            sb.rows > 1 ? (Math.floor(tile / sb.columns) / (sb.rows - 1)) * 100 : 0
          }%`,
        }
      : undefined;
  return (
    <article className="card" data-video-id={card.id}>
      <Link href={`/videos/${card.id}`} className="card-link">
        <div
          className="thumb"
          onPointerMove={onMove}
          onPointerLeave={() => setTile(null)}
          data-scrub-tile={tile ?? undefined}
        >
          {card.poster ? (
            // biome-ignore lint/performance/noImgElement: posters come from our own media route, no optimiser
            <img src={card.poster} alt="" loading={eager ? 'eager' : 'lazy'} decoding="async" />
          ) : (
            <div className="no-poster" aria-hidden="true">
              ▶
            </div>
          )}
          {scrub ? <div className="scrub" style={scrub} aria-hidden="true" /> : null}
          {card.durationSec > 0 ? (
            <span className="duration">
              <span aria-hidden="true">{formatDuration(card.durationSec)}</span>
              <span className="visually-hidden">{durationLabel(card.durationSec)}</span>
            </span>
          ) : null}
        </div>
        <h2 className="card-title">{card.title}</h2>
      </Link>
      <ul className="task-dots" aria-label="Tasks">
        {TASKS.filter((t) => card.tasks[t]).map((t) => {
          const s = card.tasks[t]!;
          return (
            <li key={t} className={`task-${s.status}`} data-task={t} data-task-status={s.status}>
              <span className="dot" aria-hidden="true" />
              {TASK_LABELS[t]}
              <span className="visually-hidden">: {taskStatusText(s.status, s.progress)}</span>
            </li>
          );
        })}
      </ul>
      <div className="chips">
        {card.language ? <span className="chip lang">{languageName(card.language)}</span> : null}
        {card.species.map((s) => (
          <span key={s} className="chip species">
            {s}
          </span>
        ))}
      </div>
    </article>
  );
}
