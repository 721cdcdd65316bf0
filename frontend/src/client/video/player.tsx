'use client';

// Client-only (loaded with ssr: false): media-chrome and hls.js touch window and customElements.
// Only the media-chrome elements used here are loaded, not the whole set.
import 'media-chrome/dist/media-controller.js';
import 'media-chrome/dist/media-control-bar.js';
import 'media-chrome/dist/media-time-range.js';
import 'media-chrome/dist/media-play-button.js';
import 'media-chrome/dist/media-seek-backward-button.js';
import 'media-chrome/dist/media-seek-forward-button.js';
import 'media-chrome/dist/media-mute-button.js';
import 'media-chrome/dist/media-volume-range.js';
import 'media-chrome/dist/media-fullscreen-button.js';
import 'media-chrome/dist/media-loading-indicator.js';
import { useEffect, useId, useRef, useState } from 'react';
import { formatDuration, languageName } from '@/shared/format';
import type { Rendition } from '@/shared/results';

export interface PlayerProps {
  title: string;
  renditions: Rendition[];
  /** HLS master playlist (fMP4 over the same ladder), for adaptive playback through hls.js. */
  hls: string | null;
  /** When there are no renditions (yet): the original file. */
  original: string;
  poster: string | null;
  subtitles: { url: string; language: string | null; showByDefault: boolean } | null;
  thumbnails: string | null;
  startAt: number;
  /** Known before the media loads (shown in the time display). */
  durationSec: number;
  onTime(t: number): void;
  onDuration(d: number): void;
  /** Gives the page a way to move the playhead (animal bars, transcript lines). */
  onReady(seek: (t: number) => void): void;
}

const ADAPTIVE = 'adaptive';
const ORIGINAL = 'original';

/** The rendition a first view starts with: the largest up to 720p, else the smallest. */
function firstChoice(renditions: Rendition[]): string {
  if (!renditions.length) return ORIGINAL;
  const fit = renditions.find((r) => Math.min(r.width, r.height) <= 720) ?? renditions.at(-1)!;
  return fit.output.url;
}

const startAtOf = (p: PlayerProps) => Math.max(0, p.startAt);

type HlsInstance = { destroy(): void; loadSource(u: string): void; attachMedia(v: HTMLMediaElement): void };

export default function Player(p: PlayerProps) {
  const video = useRef<HTMLVideoElement>(null);
  const [choice, setChoice] = useState(() => firstChoice(p.renditions));
  const hlsRef = useRef<HlsInstance | null>(null);
  const started = useRef(false);
  const ids = useId();
  const [now, setNow] = useState({ t: startAtOf(p), d: 0 });
  const [captions, setCaptions] = useState(Boolean(p.subtitles?.showByDefault));
  const [rate, setRate] = useState(1);
  const { onTime, onDuration, onReady, startAt } = p;

  useEffect(() => {
    onReady((t) => {
      const v = video.current;
      if (!v) return;
      v.currentTime = Math.max(0, t);
    });
  }, [onReady]);

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    const time = () => {
      onTime(v.currentTime);
      setNow({ t: v.currentTime, d: Number.isFinite(v.duration) ? v.duration : 0 });
    };
    const meta = () => {
      if (Number.isFinite(v.duration)) onDuration(v.duration);
      setNow({ t: v.currentTime, d: Number.isFinite(v.duration) ? v.duration : 0 });
      // A deep link (?t=) starts there, once.
      if (!started.current && startAt > 0) v.currentTime = startAt;
      started.current = true;
    };
    v.addEventListener('timeupdate', time);
    v.addEventListener('seeked', time);
    v.addEventListener('loadedmetadata', meta);
    return () => {
      v.removeEventListener('timeupdate', time);
      v.removeEventListener('seeked', time);
      v.removeEventListener('loadedmetadata', meta);
    };
  }, [onTime, onDuration, startAt]);

  // A new quality: same place, same play/pause state.
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    const at = v.currentTime;
    const wasPlaying = !v.paused;
    hlsRef.current?.destroy();
    hlsRef.current = null;
    let cancelled = false;
    const resumeAt = () => {
      if (started.current && at > 0) v.currentTime = at;
      if (wasPlaying) void v.play().catch(() => undefined);
    };
    v.addEventListener('loadedmetadata', resumeAt, { once: true });
    if (choice === ADAPTIVE && p.hls) {
      const url = p.hls;
      // hls.js (~120 KB) is fetched only when adaptive playback is chosen; it beats native HLS here.
      void import('hls.js/light').then(({ default: Hls }) => {
        if (cancelled) return;
        if (Hls.isSupported()) {
          const hls: HlsInstance = new Hls({ capLevelToPlayerSize: true });
          hls.loadSource(url);
          hls.attachMedia(v);
          hlsRef.current = hls;
        } else {
          v.src = url;
        }
      });
    } else {
      v.src = choice === ORIGINAL ? p.original : choice;
    }
    return () => {
      cancelled = true;
      v.removeEventListener('loadedmetadata', resumeAt);
    };
  }, [choice, p.hls, p.original]);

  useEffect(() => () => hlsRef.current?.destroy(), []);

  // Subtitles on or off: the one subtitles track shows, or is hidden from view.
  useEffect(() => {
    const track = [...(video.current?.textTracks ?? [])].find((t) => t.kind === 'subtitles');
    if (track) track.mode = captions ? 'showing' : 'disabled';
  }, [captions]);

  useEffect(() => {
    if (video.current) video.current.playbackRate = rate;
  }, [rate]);

  const subtitleLabel = p.subtitles ? `Subtitles (${languageName(p.subtitles.language)})` : '';
  return (
    <media-controller class="player" hotkeys="" aria-label={`Player: ${p.title}`}>
      <video
        ref={video}
        slot="media"
        preload="metadata"
        playsInline
        {...(p.poster ? { poster: p.poster } : {})}
        data-testid="video"
      >
        {p.subtitles ? (
          <track
            kind="subtitles"
            src={p.subtitles.url}
            srcLang={p.subtitles.language ?? 'und'}
            label={subtitleLabel}
            default={p.subtitles.showByDefault}
          />
        ) : null}
        {p.thumbnails ? <track kind="metadata" label="thumbnails" src={p.thumbnails} default /> : null}
      </video>
      <media-loading-indicator slot="centered-chrome" noautohide="" />
      <media-control-bar class="seek-bar">
        <media-time-range aria-label="Seek" />
      </media-control-bar>
      <media-control-bar>
        <media-play-button />
        <media-seek-backward-button seekoffset="10" />
        <media-seek-forward-button seekoffset="10" />
        <media-mute-button />
        <media-volume-range />
        <span className="time-display">
          {formatDuration(now.t)} / {formatDuration(now.d || p.durationSec)}
        </span>
        <span className="control-spacer" />
        {p.subtitles ? (
          <button
            type="button"
            className="player-button"
            aria-pressed={captions}
            onClick={() => setCaptions((c) => !c)}
            title={subtitleLabel}
          >
            Subtitles
          </button>
        ) : null}
        <label htmlFor={`${ids}-rate`} className="visually-hidden">
          Speed
        </label>
        <select
          id={`${ids}-rate`}
          className="quality rate"
          value={rate}
          onChange={(e) => setRate(Number(e.target.value))}
        >
          {[0.5, 0.75, 1, 1.25, 1.5, 2].map((r) => (
            <option key={r} value={r}>
              {r}×
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-quality`} className="visually-hidden">
          Quality
        </label>
        <select
          id={`${ids}-quality`}
          className="quality"
          value={choice}
          onChange={(e) => setChoice(e.target.value)}
        >
          {p.hls ? <option value={ADAPTIVE}>Auto (HLS)</option> : null}
          {p.renditions.map((r) => (
            <option key={r.output.url} value={r.output.url}>
              {r.label}
            </option>
          ))}
          <option value={ORIGINAL}>Original</option>
        </select>
        <media-fullscreen-button />
      </media-control-bar>
    </media-controller>
  );
}
