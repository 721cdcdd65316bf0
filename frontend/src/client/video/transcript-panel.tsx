'use client';

import { useEffect, useId, useMemo, useRef } from 'react';
import { formatDuration } from '@/shared/format';
import type { TranscriptCue } from '@/shared/video';

const norm = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();

/** The cues containing every word of `query` (accent- and case-blind). */
export function matchingCues(cues: TranscriptCue[], query: string): TranscriptCue[] {
  const words = norm(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  return cues.filter((c) => words.every((w) => norm(c.text).includes(w)));
}

function highlight(text: string, query: string): React.ReactNode {
  const words = norm(query).split(/\s+/).filter(Boolean);
  if (!words.length) return text;
  // Same length after normalising Latin text, so positions map back to the original.
  const n = norm(text);
  if (n.length !== text.length) return text;
  const marks: [number, number][] = [];
  for (const w of words) {
    for (let i = n.indexOf(w); i >= 0; i = n.indexOf(w, i + w.length)) marks.push([i, i + w.length]);
  }
  marks.sort((a, b) => a[0] - b[0]);
  const out: React.ReactNode[] = [];
  let at = 0;
  for (const [s, e] of marks) {
    if (s < at) continue;
    out.push(text.slice(at, s), <mark key={s}>{text.slice(s, e)}</mark>);
    at = e;
  }
  out.push(text.slice(at));
  return out;
}

/** The subtitles as lines: click one to play from there; the current one is highlighted. */
export function TranscriptPanel({
  cues,
  status,
  currentTime,
  query,
  onQuery,
  onSeek,
}: {
  cues: TranscriptCue[] | null;
  status: string;
  currentTime: number;
  query: string;
  onQuery(q: string): void;
  onSeek(t: number): void;
}) {
  const ids = useId();
  const list = useRef<HTMLOListElement>(null);
  const lastTouch = useRef(0);
  const active = useMemo(
    () => cues?.findIndex((c) => currentTime >= c.start && currentTime < c.end) ?? -1,
    [cues, currentTime],
  );
  const matches = useMemo(() => new Set(matchingCues(cues ?? [], query)), [cues, query]);

  // Keep the current line in view, unless the viewer is reading elsewhere in the list.
  useEffect(() => {
    if (active < 0 || Date.now() - lastTouch.current < 4000) return;
    const el = list.current?.children[active] as HTMLElement | undefined;
    const box = list.current;
    if (el && box) box.scrollTop = el.offsetTop - box.offsetTop - box.clientHeight / 3;
  }, [active]);

  return (
    <section className="panel transcript" aria-labelledby={`${ids}-h`}>
      <h2 id={`${ids}-h`}>Transcript</h2>
      {cues === null ? <p className="muted">{status}</p> : null}
      {cues && cues.length === 0 ? <p className="muted">Nothing was said.</p> : null}
      {cues && cues.length > 0 ? (
        <>
          <div className="transcript-search">
            <label htmlFor={`${ids}-q`}>Search the transcript</label>
            <input id={`${ids}-q`} type="search" value={query} onChange={(e) => onQuery(e.target.value)} />
            <p className="muted small" aria-live="polite">
              {query.trim() ? `${matches.size} line${matches.size === 1 ? '' : 's'} match` : ''}
            </p>
          </div>
          <ol
            className="cues"
            ref={list}
            onPointerMove={() => {
              lastTouch.current = Date.now();
            }}
            onWheel={() => {
              lastTouch.current = Date.now();
            }}
          >
            {cues.map((c, i) => (
              <li key={`${c.start}-${c.end}`} className={matches.has(c) ? 'match' : undefined}>
                <button
                  type="button"
                  className="cue"
                  aria-current={i === active ? 'true' : undefined}
                  data-start={c.start}
                  onClick={() => onSeek(c.start)}
                >
                  <time>{formatDuration(c.start)}</time> <span>{highlight(c.text, query)}</span>
                </button>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}
