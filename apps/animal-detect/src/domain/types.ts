/** A box in normalised coordinates of the displayed video frame (0..1, origin top-left). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One object the detector found: a class index into the model's labels, a score, a box. */
export interface ScoredBox {
  classId: number;
  score: number;
  box: Box;
}

export interface Detection {
  species: string;
  confidence: number;
  box: Box;
  /** The track this detection belongs to (see `TrackResult.id`). */
  track?: number;
}

/** The broader label of a track whose frames disagree on the species (shared with other services). */
export { ANIMAL_LABEL } from '@vidp/contracts';

/** A species a track's frames voted for, and its share of the confidence-weighted vote (0..1). */
export interface Candidate {
  species: string;
  share: number;
}

/** Why a decoded frame was (or was not) given to the detector. */
export type SampleReason = 'first' | 'base' | 'scene' | 'change' | 'fixed';

export interface FrameResult {
  frameIndex: number;
  timeSec: number;
  reason: SampleReason;
  detections: Detection[];
}

export interface TimeRange {
  startSec: number;
  endSec: number;
  peakConfidence: number;
  /** For `animal`: the species voted for in this range, with their shares, best first. */
  candidates?: Candidate[];
}

export interface BestFrame {
  timeSec: number;
  confidence: number;
  box: Box;
  /** Mean luma gradient inside the box (0..1): how sharp the animal looks there. */
  sharpness: number;
}

/**
 * One animal followed from frame to frame within a shot: its detections overlap in space and
 * follow one another in time. `species` is the vote's winner, or `animal` when the frames
 * disagree; `candidates` are every species voted for, best first.
 */
export interface TrackResult {
  id: number;
  species: string;
  candidates: Candidate[];
  startSec: number;
  endSec: number;
  frames: number;
  peakConfidence: number;
  /**
   * What the second stage (a classifier on crops of the track) thought, when it looked: the
   * mean probability of each species it can name (`share` 0..1; the rest went to other things).
   */
  classifier?: Candidate[];
}

export interface Appearance {
  /** A species, or `animal` when the tracks' frames disagreed between species. */
  species: string;
  /** For `animal`: the species its tracks were voted, with their shares (0..1), best first. */
  candidates?: Candidate[];
  ranges: TimeRange[];
  totalSec: number;
  peakConfidence: number;
  /** Frames (among those inferred) in which it was seen. */
  frames: number;
  /** The tracks behind this appearance (`TrackResult.id`). */
  tracks: number[];
  best: BestFrame;
}

/** What the model can do; the labels come with the model, the animal list with its configuration. */
export interface ModelInfo {
  name: string;
  inputSize: number;
  labels: readonly string[];
  animals: readonly string[];
  /** Groups of animals the model confuses (decided together within a shot); none by default. */
  closeSpecies?: readonly (readonly string[])[];
}
