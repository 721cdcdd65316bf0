'use client';

import { useState } from 'react';
import { formatDuration, percent } from '@/shared/format';
import type { AnimalTrack } from '@/shared/results';

/**
 * Under the seek bar: one row per species, a bar for each time range it is visible in.
 * Hovering (or focusing) a bar shows the species' best frame; clicking it seeks there.
 */
export function AnimalLane({
  tracks,
  duration,
  currentTime,
  onSeek,
}: {
  tracks: AnimalTrack[];
  duration: number;
  currentTime: number;
  onSeek(t: number): void;
}) {
  const [preview, setPreview] = useState<{ species: string; left: number } | null>(null);
  if (!tracks.length || !(duration > 0)) return null;
  const pos = (t: number) => `${(Math.min(duration, Math.max(0, t)) / duration) * 100}%`;
  return (
    <section className="animal-lane" aria-label="Animals in the video">
      {tracks.map((track) => (
        <div key={track.species} className="lane-row" data-species={track.species}>
          <span className="lane-label">{track.species}</span>
          <div className="lane-track">
            <span className="lane-playhead" style={{ left: pos(currentTime) }} aria-hidden="true" />
            {track.ranges.map((r) => {
              const label = `${track.species} from ${formatDuration(r.startSec)} to ${formatDuration(r.endSec)} (${percent(r.peakConfidence)} sure): play from here`;
              return (
                <button
                  key={`${r.startSec}`}
                  type="button"
                  className="lane-bar"
                  style={{
                    left: pos(r.startSec),
                    width: `max(6px, ${((r.endSec - r.startSec) / duration) * 100}%)`,
                  }}
                  aria-label={label}
                  title={label}
                  data-start={r.startSec}
                  onClick={() => onSeek(r.startSec)}
                  onPointerEnter={() =>
                    setPreview({ species: track.species, left: (r.startSec / duration) * 100 })
                  }
                  onPointerLeave={() => setPreview(null)}
                  onFocus={() => setPreview({ species: track.species, left: (r.startSec / duration) * 100 })}
                  onBlur={() => setPreview(null)}
                />
              );
            })}
            {preview?.species === track.species && track.bestFrame?.url ? (
              <figure
                className="lane-preview"
                style={{ left: `min(max(0px, calc(${preview.left}% - 80px)), calc(100% - 160px))` }}
              >
                {/* biome-ignore lint/performance/noImgElement: a frame from our own media route */}
                <img src={track.bestFrame.url} alt={`Best frame of the ${track.species}`} width={160} />
                <figcaption>
                  {track.species} at {formatDuration(track.bestFrame.atSec)}
                </figcaption>
              </figure>
            ) : null}
          </div>
        </div>
      ))}
    </section>
  );
}

/** Where the transcript search matched, as ticks on a strip under the seek bar (click to go). */
export function SearchHits({
  hits,
  duration,
  onSeek,
}: {
  hits: number[];
  duration: number;
  onSeek(t: number): void;
}) {
  if (!hits.length || !(duration > 0)) return null;
  return (
    <fieldset className="hits">
      <legend className="visually-hidden">
        {hits.length} transcript match{hits.length === 1 ? '' : 'es'} on the timeline
      </legend>
      {hits.map((t) => (
        <button
          key={t}
          type="button"
          className="hit"
          style={{ left: `${(t / duration) * 100}%` }}
          aria-label={`Match at ${formatDuration(t)}`}
          onClick={() => onSeek(t)}
        />
      ))}
    </fieldset>
  );
}
