import type { SpeciesClassifier } from './analyze.js';
import { squareCrop } from './crops.js';
import type { Letterbox } from './geometry.js';
import type { FrameObject } from './objects.js';
import { VOTE_FLOOR } from './species-vote.js';

/** Animals per inferred frame the second stage looks at (the largest ones). */
export const MAX_CROPS_PER_FRAME = 4;
/** A box smaller than this (longer side, in detector-input pixels) is too small to classify. */
export const MIN_CROP_PIXELS = 24;
/** A detector score at which an object with no other animal class on it needs no second look. */
export const CLEAR_SCORE = 0.6;

/**
 * Whether the classifier can change anything about an object: not for one the detector gives a
 * single animal class, surely (the classifier only confirms; that one is confirmed already).
 */
function needsSecondLook(obj: FrameObject): boolean {
  const species = [...obj.scores].filter(([, score]) => score > VOTE_FLOOR);
  return species.length !== 1 || (species[0]?.[1] ?? 0) < CLEAR_SCORE;
}

/** The classifier's opinion of a frame's largest animals (by index; none for the others). */
export async function secondLook(
  classifier: SpeciesClassifier,
  pixels: Uint8Array,
  lb: Letterbox,
  objects: readonly FrameObject[],
): Promise<(Map<string, number> | undefined)[]> {
  const side = (b: { w: number; h: number }) => Math.max(b.w * lb.scaleWidth, b.h * lb.scaleHeight);
  const chosen = objects
    .map((obj, k) => ({ k, side: side(obj.box) }))
    .filter((c) => c.side >= MIN_CROP_PIXELS && needsSecondLook(objects[c.k] as FrameObject))
    .sort((a, b) => b.side - a.side)
    .slice(0, MAX_CROPS_PER_FRAME);
  if (chosen.length === 0) return [];
  const size = classifier.info.inputSize;
  const answers = await classifier.classify(
    chosen.map((c) => squareCrop(pixels, lb, (objects[c.k] as (typeof objects)[number]).box, size)),
  );
  const opinions: (Map<string, number> | undefined)[] = new Array(objects.length).fill(undefined);
  chosen.forEach((c, n) => {
    opinions[c.k] = answers[n];
  });
  return opinions;
}
