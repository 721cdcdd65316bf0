/**
 * What animal-detect answers (its JSON part `result`), as far as other services read it:
 * main-app indexes `appearances[].species`, the web page draws one lane per species.
 */

/** The label of an appearance whose frames disagreed between species (see `candidates`). */
export const ANIMAL_LABEL = 'animal';

/** A species an uncertain track was voted, with its share of the vote (0..1). */
export interface AnimalCandidate {
  species: string;
  share: number;
}

export interface AnimalRange {
  startSec: number;
  endSec: number;
  peakConfidence: number;
  /** Only for `animal`: what it might be in this range, best first. */
  candidates?: AnimalCandidate[];
}

export interface AnimalAppearance {
  /** A species (`dog`, `horse`, …) or `animal` when the frames could not agree on one. */
  species: string;
  /** Only for `animal`: the species voted for over all its ranges, best first. */
  candidates?: AnimalCandidate[];
  ranges: AnimalRange[];
  totalSec: number;
  peakConfidence: number;
  bestFrame: {
    /** The multipart part holding the JPEG (`frame-dog`, `frame-animal`, …). */
    part: string;
    filename: string;
    timeSec: number;
    confidence: number;
    box: { x: number; y: number; w: number; h: number };
  };
}
