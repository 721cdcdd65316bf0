import type { Box } from './types.js';

/** Sharpness at which a box counts as half sharp (mean |Laplacian| of luma, 0..1). */
const HALF_SHARP = 0.02;
/** A box this close to the picture's edge is cut off there. */
const EDGE = 0.01;

export interface FrameView {
  confidence: number;
  box: Box;
  sharpness: number;
}

/**
 * How good a frame is as the picture of an animal: confident, large, sharp and whole. The
 * product of the confidence, the square root of the box's share of the picture, a sharpness
 * term that saturates (a blurred frame loses, a sharp one gains little past "sharp"), and a
 * penalty for each picture edge that cuts the box.
 */
export function frameQuality(v: FrameView): number {
  const area = Math.max(0, v.box.w * v.box.h);
  const sharp = v.sharpness / (v.sharpness + HALF_SHARP);
  const cut = [
    v.box.x <= EDGE,
    v.box.y <= EDGE,
    v.box.x + v.box.w >= 1 - EDGE,
    v.box.y + v.box.h >= 1 - EDGE,
  ].filter(Boolean).length;
  return v.confidence * Math.sqrt(area) * sharp * 0.75 ** cut;
}

/** The best of several views of an animal (the first of equals). */
export function bestView<T extends FrameView>(views: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestQ = -1;
  for (const v of views) {
    const q = frameQuality(v);
    if (q > bestQ) {
      best = v;
      bestQ = q;
    }
  }
  return best;
}
