import { summarise } from './appearances.js';
import { type Letterbox, unletterbox } from './geometry.js';
import { classwiseNms } from './nms.js';
import { animalObjects, faintAnimals, groupObjects } from './objects.js';
import { frameSignature, Sampler, type SamplingPolicy, type SamplingStats } from './sampling.js';
import { secondLook } from './second-look.js';
import { CONFIRM } from './second-opinion.js';
import { boxSharpness, sharpnessGrid } from './sharpness.js';
import { VOTE_FLOOR } from './species-vote.js';
import type { TrackerFrame } from './tracking.js';
import type { Appearance, FrameResult, ModelInfo, ScoredBox, TrackResult } from './types.js';

/** A box as the model gives it: model-input pixels (x1, y1, x2, y2) and a class index. */
export interface RawDetection {
  classId: number;
  score: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** The detector port: any model behind it, run wherever the adapter likes (a worker thread). */
export interface Detector {
  readonly info: ModelInfo;
  /** `rgb`: a letterboxed size x size packed RGB frame (ownership passes to the detector). */
  detect(rgb: Uint8Array, minScore: number): Promise<RawDetection[]>;
}

/**
 * The second-stage port: a classifier that looks again at each animal the detector found, on
 * a crop of it, and says how likely each species it can name is (the rest of its belief went
 * to things that are no species of the detector's).
 */
export interface SpeciesClassifier {
  readonly info: {
    name: string;
    inputSize: number;
    /** The species it can name. */
    species: readonly string[];
    /** Species it often names as something else: its word never counts against them. */
    overlooks: readonly string[];
  };
  /** `crops`: each inputSize x inputSize packed RGB; per crop, species → probability. */
  classify(crops: Uint8Array[]): Promise<Map<string, number>[]>;
}

/** With a second stage, animal boxes from this score up are proposals it may confirm. */
export const PROPOSAL_FLOOR = 0.2;

export interface DecodedFrame {
  index: number;
  timeSec: number;
  data: Uint8Array;
}

export interface AnalysisOptions {
  policy: SamplingPolicy;
  letterbox: Letterbox;
  minConfidence: number;
  /** The species to report (a subset of the model's animals). */
  species: ReadonlySet<string>;
  durationSec: number;
  gapToleranceSec: number;
  iouThreshold: number;
  /** A second look at each animal's crop; without it the detector's classes decide alone. */
  classifier?: SpeciesClassifier;
  /** Frames sent to the detector before waiting for the oldest answer (decoding overlaps inference). */
  maxInFlight?: number;
  signal?: AbortSignal;
  onProgress?(doneSec: number): void;
}

export interface Analysis {
  frames: FrameResult[];
  appearances: Appearance[];
  tracks: TrackResult[];
  /** The sampler's counts, and how many crops the second stage classified. */
  stats: SamplingStats & { cropsClassified: number };
}

/**
 * The whole job, free of HTTP, ffmpeg and ONNX: pick frames to look at, run the detector on
 * them, group each frame's boxes into objects (every class, after class-wise NMS), keep the
 * animals, follow them from frame to frame, and let each track's frames vote on its species.
 */
export async function analyzeFrames(
  frames: AsyncIterable<DecodedFrame>,
  detector: Detector,
  o: AnalysisOptions,
): Promise<Analysis> {
  const sampler = new Sampler(o.policy);
  const lb = o.letterbox;
  const region = { x: lb.padX, y: lb.padY, w: lb.scaleWidth, h: lb.scaleHeight };
  const labels = detector.info.labels;
  const animals = new Set(detector.info.animals);
  const looked: TrackerFrame[] = [];
  const inFlight: Promise<void>[] = [];
  let cropsClassified = 0;

  const run = async (frame: DecodedFrame, reason: FrameResult['reason']) => {
    // Sharpness is read, and the pixels kept for crops, before the frame goes to the detector
    // (its buffer moves to the worker).
    const sharpness = sharpnessGrid(frame.data, lb.size, region);
    // A copy: a Node Buffer's slice() would share the memory that moves.
    const pixels = o.classifier ? new Uint8Array(frame.data) : undefined;
    const floor = Math.min(VOTE_FLOOR, o.minConfidence);
    // With a second stage, fainter animal boxes are asked for too: proposals it may confirm.
    const raw = await detector.detect(frame.data, o.classifier ? Math.min(PROPOSAL_FLOOR, floor) : floor);
    const candidates: ScoredBox[] = raw
      .map((d) => ({ classId: d.classId, score: d.score, box: unletterbox(lb, d.x1, d.y1, d.x2, d.y2) }))
      .filter((c) => c.box.w > 0 && c.box.h > 0);
    const boxes = classwiseNms(candidates, o.iouThreshold).map((c) => ({
      label: labels[c.classId] ?? `class ${c.classId}`,
      score: c.score,
      box: c.box,
    }));
    const things = groupObjects(boxes.filter((b) => b.score >= floor));
    const sure = animalObjects(things, animals);
    const faint = o.classifier
      ? faintAnimals(
          boxes.filter((b) => b.score < floor),
          things,
          animals,
        )
      : [];
    const all = [...sure, ...faint];
    const opinions = pixels && o.classifier ? await secondLook(o.classifier, pixels, lb, all) : [];
    cropsClassified += opinions.filter(Boolean).length;
    // A faint box stays only if the classifier is sure of the species the detector proposed.
    const objects = all.flatMap((obj, k) => {
      const opinion = opinions[k];
      if (k >= sure.length && (opinion?.get(obj.top) ?? 0) < CONFIRM) return [];
      return [{ ...obj, sharpness: boxSharpness(sharpness, obj.box), ...(opinion ? { opinion } : {}) }];
    });
    looked.push({
      frameIndex: frame.index,
      timeSec: Math.round(frame.timeSec * 1000) / 1000,
      reason,
      objects,
    });
  };

  for await (const frame of frames) {
    o.signal?.throwIfAborted();
    const reason = sampler.decide(frame.timeSec, frameSignature(frame.data, lb.size, region));
    if (reason) {
      const job = run(frame, reason);
      job.catch(() => undefined);
      inFlight.push(job);
      if (inFlight.length >= (o.maxInFlight ?? 2)) await inFlight.shift();
    }
    o.onProgress?.(frame.timeSec);
  }
  await Promise.all(inFlight);
  o.signal?.throwIfAborted();
  looked.sort((a, b) => a.timeSec - b.timeSec);
  const summary = summarise(looked, {
    durationSec: o.durationSec,
    gapToleranceSec: o.gapToleranceSec,
    minConfidence: o.minConfidence,
    species: o.species,
    ...(detector.info.closeSpecies ? { closeSpecies: detector.info.closeSpecies } : {}),
    ...(o.classifier ? { overlooked: new Set(o.classifier.info.overlooks) } : {}),
  });
  return { ...summary, stats: { ...sampler.stats, cropsClassified } };
}
