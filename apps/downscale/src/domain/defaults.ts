/**
 * Encoding defaults, chosen by measurement (see the README's downscale section for the numbers
 * and bench/downscale/tune.ts to measure them again). Every knob a caller may change has its
 * safe bounds here too.
 */

/** Rungs produced when the caller does not choose: the shorter side of the picture, in pixels. */
export const DEFAULT_RUNGS = [1080, 720, 480, 360, 240] as const;

/** x264 presets a caller may pick: slower ones cost too much CPU for a shared processor. */
export const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET: Preset = 'veryfast';

export const CRF_BOUNDS = { min: 16, max: 35 } as const;
export const AUDIO_KBPS_BOUNDS = { min: 48, max: 256 } as const;
export const RUNG_BOUNDS = { min: 96, max: 2160 } as const;
export const MAX_RUNGS = 8;

export interface RungDefaults {
  /** Applies to rungs of at least this size (the table is read from the top). */
  from: number;
  crf: number;
  /** Peak bitrate cap (capped CRF): keeps hard scenes streamable over a modest link. */
  maxrateKbps: number;
  audioKbps: number;
}

/**
 * Smaller pictures get a lower CRF: each of their pixels covers more of the screen, and at
 * one CRF their SSIM drops fast (0.976 at 1080p, 0.950 at 240p, measured). Caps are about
 * twice the measured average at that CRF, room for hard scenes without stalling playback.
 */
export const RUNG_DEFAULTS: readonly RungDefaults[] = [
  { from: 1440, crf: 23, maxrateKbps: 14000, audioKbps: 128 },
  { from: 1080, crf: 23, maxrateKbps: 6000, audioKbps: 128 },
  { from: 720, crf: 23, maxrateKbps: 3000, audioKbps: 128 },
  { from: 480, crf: 22, maxrateKbps: 2000, audioKbps: 128 },
  { from: 360, crf: 22, maxrateKbps: 1400, audioKbps: 96 },
  { from: 0, crf: 21, maxrateKbps: 900, audioKbps: 96 },
];

/** Keyframe every 2 s: HLS segments (4 s) and seeking both cut on them. */
export const KEYFRAME_INTERVAL_SEC = 2;
export const HLS_SEGMENT_SEC = 4;

/** Poster: a frame 10 % into the video (skips fades from black), at most this short side. */
export const POSTER_AT_FRACTION = 0.1;
export const POSTER_MAX_SHORT_SIDE = 720;

/** Storyboard: up to this many thumbnails, at least this far apart, in a grid this wide. */
export const STORYBOARD_MAX_THUMBS = 25;
export const STORYBOARD_MIN_INTERVAL_SEC = 1;
export const STORYBOARD_COLUMNS = 5;
/** Longer side of one storyboard thumbnail. */
export const STORYBOARD_THUMB_LONG_SIDE = 160;

/** Frame rates above this are halved-or-capped to it: no browser rendition needs more. */
export const MAX_FPS = 60;
