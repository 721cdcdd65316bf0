/** A box in normalised coordinates of the displayed video frame (0..1, origin top-left). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One object the detector found: a class index into the model's labels, a score, a box. */
export interface Candidate {
  classId: number;
  score: number;
  box: Box;
}

export interface Detection {
  species: string;
  confidence: number;
  box: Box;
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
}

export interface BestFrame {
  timeSec: number;
  confidence: number;
  box: Box;
}

export interface Appearance {
  species: string;
  ranges: TimeRange[];
  totalSec: number;
  peakConfidence: number;
  /** Frames (among those inferred) in which the species was seen. */
  frames: number;
  best: BestFrame;
}

/** What the model can do; the labels come with the model, the animal list with its configuration. */
export interface ModelInfo {
  name: string;
  inputSize: number;
  labels: readonly string[];
  animals: readonly string[];
}
