import type { SampleReason } from './types.js';

export interface SamplingPolicy {
  /** `smart`: a base rate plus scene changes, near-duplicates skipped. `fixed`: every frame at `fps`. */
  mode: 'smart' | 'fixed';
  /** Smart: the base rate (frames a second) at which a frame is looked at anyway. Fixed: the rate. */
  fps: number;
  /** Smart: frames a second decoded and compared (cheap) to find scene changes. */
  decodeFps: number;
  /** Mean luma difference (0..1) between consecutive decoded frames, even allowing for a pan, that marks a cut. */
  sceneThreshold: number;
  /** Difference from the last inferred frame that asks for a new inference (pans, zooms). */
  changeThreshold: number;
  /** Below this difference from the last inferred frame, a base-rate frame is a near-duplicate. */
  duplicateThreshold: number;
  /** A near-duplicate is skipped for at most this long: the detector looks again after it. */
  maxSkipSec: number;
}

export const DEFAULT_POLICY: SamplingPolicy = {
  mode: 'smart',
  fps: 0.5,
  decodeFps: 4,
  sceneThreshold: 0.08,
  changeThreshold: 0.14,
  duplicateThreshold: 0.02,
  maxSkipSec: 10,
};

/** The frames per second to decode for a policy, never above the video's own rate. */
export function decodeRate(policy: SamplingPolicy, videoFps: number): number {
  const wanted = policy.mode === 'fixed' ? policy.fps : Math.max(policy.decodeFps, policy.fps);
  return videoFps > 0 ? Math.min(wanted, videoFps) : wanted;
}

export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

const GRID = 16;

/**
 * A small luma thumbnail (16 x 16 cell means) of the picture area of a packed RGB frame:
 * enough to tell a cut or a large change from a near-duplicate, cheap to compute.
 */
export function frameSignature(rgb: Uint8Array, width: number, region: Region): Float32Array {
  const sig = new Float32Array(GRID * GRID);
  const counts = new Uint32Array(GRID * GRID);
  const step = Math.max(1, Math.floor(Math.min(region.w, region.h) / (GRID * 8)));
  for (let y = 0; y < region.h; y += step) {
    const cy = Math.min(GRID - 1, Math.floor((y * GRID) / region.h));
    const row = (region.y + y) * width;
    for (let x = 0; x < region.w; x += step) {
      const cx = Math.min(GRID - 1, Math.floor((x * GRID) / region.w));
      const p = (row + region.x + x) * 3;
      const luma =
        0.299 * (rgb[p] as number) + 0.587 * (rgb[p + 1] as number) + 0.114 * (rgb[p + 2] as number);
      const cell = cy * GRID + cx;
      sig[cell] = (sig[cell] as number) + luma;
      counts[cell] = (counts[cell] as number) + 1;
    }
  }
  for (let k = 0; k < sig.length; k++) sig[k] = (sig[k] as number) / Math.max(1, counts[k] as number) / 255;
  return sig;
}

/** Mean absolute difference of two signatures, 0 (same) .. 1. */
export function signatureDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += Math.abs((a[k] as number) - (b[k] as number));
  return sum / a.length;
}

/** Largest camera move (in signature cells, of 16) between two decoded frames told from a cut. */
const MAX_SHIFT = 3;

/**
 * The distance of two signatures once the best shift of up to `MAX_SHIFT` cells is allowed
 * (over the overlap): small for a pan, where the picture moved; large for a cut, where it
 * changed. Zooms change little between two decoded frames and stay small either way.
 */
export function shiftedDistance(a: Float32Array, b: Float32Array): number {
  let best = Number.POSITIVE_INFINITY;
  for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
    for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
      let sum = 0;
      let n = 0;
      for (let y = Math.max(0, -dy); y < Math.min(GRID, GRID - dy); y++) {
        for (let x = Math.max(0, -dx); x < Math.min(GRID, GRID - dx); x++) {
          sum += Math.abs((a[y * GRID + x] as number) - (b[(y + dy) * GRID + x + dx] as number));
          n++;
        }
      }
      best = Math.min(best, sum / n);
    }
  }
  return best;
}

export interface SamplingStats {
  framesDecoded: number;
  framesInferred: number;
  sceneChanges: number;
  nearDuplicatesSkipped: number;
}

/**
 * Decides, frame by frame in decoding order, which decoded frames the detector must see.
 * Smart mode: the first frame; every scene cut; a frame that changed a lot since the last
 * inferred one; and a frame at the base rate unless it is a near-duplicate of the last
 * inferred one (for at most `maxSkipSec`). Fixed mode: every decoded frame.
 */
export class Sampler {
  readonly stats: SamplingStats = {
    framesDecoded: 0,
    framesInferred: 0,
    sceneChanges: 0,
    nearDuplicatesSkipped: 0,
  };
  private previous?: Float32Array;
  private lastInferred?: { timeSec: number; signature: Float32Array };

  constructor(private readonly policy: SamplingPolicy) {}

  decide(timeSec: number, signature: Float32Array): SampleReason | undefined {
    this.stats.framesDecoded++;
    const previous = this.previous;
    this.previous = signature;
    const reason = this.reason(timeSec, signature, previous);
    if (reason) {
      this.stats.framesInferred++;
      this.lastInferred = { timeSec, signature };
    }
    return reason;
  }

  private reason(
    timeSec: number,
    signature: Float32Array,
    previous?: Float32Array,
  ): SampleReason | undefined {
    const p = this.policy;
    if (p.mode === 'fixed') return 'fixed';
    const last = this.lastInferred;
    if (!last || !previous) return 'first';
    // A big change that a small shift explains is the camera moving, not a cut.
    if (
      signatureDistance(signature, previous) >= p.sceneThreshold &&
      shiftedDistance(signature, previous) >= p.sceneThreshold
    ) {
      this.stats.sceneChanges++;
      return 'scene';
    }
    const sinceLast = signatureDistance(signature, last.signature);
    if (sinceLast >= p.changeThreshold) return 'change';
    // A small tolerance keeps float steps (0.25 s * 8) from missing the base-rate slot.
    const elapsed = timeSec - last.timeSec + 1e-6;
    if (elapsed < 1 / p.fps) return undefined;
    if (sinceLast < p.duplicateThreshold && elapsed < p.maxSkipSec) {
      this.stats.nearDuplicatesSkipped++;
      return undefined;
    }
    return 'base';
  }
}
