import type { MediaInfo } from '@vidp/media';
import {
  DEFAULT_PRESET,
  DEFAULT_RUNGS,
  MAX_FPS,
  POSTER_AT_FRACTION,
  POSTER_MAX_SHORT_SIDE,
  type Preset,
  RUNG_DEFAULTS,
  STORYBOARD_COLUMNS,
  STORYBOARD_MAX_THUMBS,
  STORYBOARD_MIN_INTERVAL_SEC,
  STORYBOARD_THUMB_LONG_SIDE,
} from './defaults.js';

/** What a caller may choose; everything else follows from the source and the defaults. */
export interface LadderOptions {
  /** Rungs wanted, as the shorter side of the picture (720 = 1280x720, or 720x1280 upright). */
  rungs?: readonly number[];
  preset?: Preset;
  /** One CRF for every rung instead of the per-rung defaults. */
  crf?: number;
  audioKbps?: number;
  hls?: boolean;
}

export interface Size {
  width: number;
  height: number;
}

export interface RenditionPlan extends Size {
  /** The rung: the shorter side of the output picture. */
  rung: number;
  crf: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  /** Undefined when the source has no audio. */
  audioKbps?: number;
  /** File name of the MP4, also its name in HLS playlists. */
  name: string;
}

export interface LadderPlan {
  preset: Preset;
  durationSec: number;
  /** Display aspect ratio of the source (width / height, after rotation and pixel shape). */
  aspect: number;
  /** Frame rate cap, when the source is faster than any browser rendition needs. */
  fpsCap?: number;
  audio?: { channels: number; sampleRate?: number };
  renditions: RenditionPlan[];
  /** Rungs asked for but above the source (never upscaled). */
  skipped: number[];
  poster: Size & { atSec: number };
  storyboard: Size & {
    thumb: Size;
    count: number;
    columns: number;
    rows: number;
    intervalSec: number;
  };
  hls: boolean;
}

/** Nearest even number, at least 2: H.264 in 4:2:0 needs even sizes. */
export const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
const evenDown = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/** Displayed size of the source: stored size stretched by the pixel shape, then rotated. */
export function displaySize(info: MediaInfo): Size {
  const v = info.video;
  if (!v) throw new Error('no video stream');
  const w = v.width * (v.sampleAspectRatio || 1);
  const h = v.height;
  return v.rotation === 90 || v.rotation === 270 ? { width: h, height: w } : { width: w, height: h };
}

/** Picture of a rung: its shorter side is the rung, the other follows the aspect ratio. */
export function sizeForRung(rung: number, aspect: number): Size {
  return aspect >= 1
    ? { width: even(rung * aspect), height: rung }
    : { width: rung, height: even(rung / aspect) };
}

export function rungDefaults(rung: number) {
  return (
    RUNG_DEFAULTS.find((d) => rung >= d.from) ?? (RUNG_DEFAULTS.at(-1) as (typeof RUNG_DEFAULTS)[number])
  );
}

function fitShortSide(aspect: number, maxShort: number, sourceShort: number): Size {
  return sizeForRung(evenDown(Math.min(maxShort, sourceShort)), aspect);
}

/**
 * Plans the ladder for a probed source: every asked rung not above the source (never
 * upscale), even sizes with the displayed aspect ratio, per-rung quality settings, and the
 * poster and storyboard geometry. Pure: no ffmpeg, no I/O.
 */
export function planLadder(info: MediaInfo, opts: LadderOptions = {}): LadderPlan {
  const v = info.video;
  if (!v) throw new Error('no video stream');
  const shown = displaySize(info);
  const aspect = shown.width / shown.height;
  // The source's shorter displayed side, in the same units as a rung.
  const sourceShort = Math.floor(Math.min(shown.width, shown.height));

  const asked = [...new Set((opts.rungs ?? DEFAULT_RUNGS).map(evenDown))].sort((a, b) => b - a);
  let kept = asked.filter((r) => r <= sourceShort);
  const skipped = asked.filter((r) => r > sourceShort);
  // A source smaller than every rung still gets one web rendition, at its own size.
  if (kept.length === 0) kept = [evenDown(sourceShort)];

  const audio = info.audio
    ? {
        channels: Math.min(2, Math.max(1, info.audio.channels || 2)),
        ...(info.audio.sampleRate > 48_000 ? { sampleRate: 48_000 } : {}),
      }
    : undefined;

  const renditions = kept.map((rung): RenditionPlan => {
    const d = rungDefaults(rung);
    const size = sizeForRung(rung, aspect);
    return {
      rung,
      ...size,
      crf: opts.crf ?? d.crf,
      maxrateKbps: d.maxrateKbps,
      bufsizeKbps: d.maxrateKbps * 2,
      ...(audio ? { audioKbps: opts.audioKbps ?? d.audioKbps } : {}),
      name: `${rung}p`,
    };
  });

  const duration =
    v.durationSec && v.durationSec > 0
      ? Math.min(v.durationSec, info.durationSec || Infinity)
      : info.durationSec;
  const count = Math.max(
    1,
    Math.min(STORYBOARD_MAX_THUMBS, Math.floor(duration / STORYBOARD_MIN_INTERVAL_SEC) || 1),
  );
  const columns = Math.min(count, STORYBOARD_COLUMNS);
  const rows = Math.ceil(count / columns);
  const thumb =
    aspect >= 1
      ? { width: STORYBOARD_THUMB_LONG_SIDE, height: even(STORYBOARD_THUMB_LONG_SIDE / aspect) }
      : { width: even(STORYBOARD_THUMB_LONG_SIDE * aspect), height: STORYBOARD_THUMB_LONG_SIDE };

  return {
    preset: opts.preset ?? DEFAULT_PRESET,
    durationSec: info.durationSec,
    aspect,
    ...(v.fps > MAX_FPS ? { fpsCap: MAX_FPS } : {}),
    ...(audio ? { audio } : {}),
    renditions,
    skipped,
    poster: {
      ...fitShortSide(aspect, POSTER_MAX_SHORT_SIDE, sourceShort),
      atSec: Math.round(duration * POSTER_AT_FRACTION * 1000) / 1000,
    },
    storyboard: {
      thumb,
      count,
      columns,
      rows,
      intervalSec: duration / count,
      width: thumb.width * columns,
      height: thumb.height * rows,
    },
    hls: opts.hls ?? false,
  };
}
