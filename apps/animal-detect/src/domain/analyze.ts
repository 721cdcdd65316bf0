import { summarise } from './appearances.js';
import { type Letterbox, unletterbox } from './geometry.js';
import { classwiseNms } from './nms.js';
import { animalObjects, groupObjects } from './objects.js';
import { frameSignature, Sampler, type SamplingPolicy, type SamplingStats } from './sampling.js';
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
  /** Frames sent to the detector before waiting for the oldest answer (decoding overlaps inference). */
  maxInFlight?: number;
  signal?: AbortSignal;
  onProgress?(doneSec: number): void;
}

export interface Analysis {
  frames: FrameResult[];
  appearances: Appearance[];
  tracks: TrackResult[];
  stats: SamplingStats;
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

  const run = async (frame: DecodedFrame, reason: FrameResult['reason']) => {
    // Sharpness is read before the frame's pixels go to the detector (their buffer moves).
    const sharpness = sharpnessGrid(frame.data, lb.size, region);
    const raw = await detector.detect(frame.data, Math.min(VOTE_FLOOR, o.minConfidence));
    const candidates: ScoredBox[] = raw
      .map((d) => ({ classId: d.classId, score: d.score, box: unletterbox(lb, d.x1, d.y1, d.x2, d.y2) }))
      .filter((c) => c.box.w > 0 && c.box.h > 0);
    const objects = animalObjects(
      groupObjects(
        classwiseNms(candidates, o.iouThreshold).map((c) => ({
          label: labels[c.classId] ?? `class ${c.classId}`,
          score: c.score,
          box: c.box,
        })),
      ),
      animals,
    );
    looked.push({
      frameIndex: frame.index,
      timeSec: Math.round(frame.timeSec * 1000) / 1000,
      reason,
      objects: objects.map((obj) => ({ ...obj, sharpness: boxSharpness(sharpness, obj.box) })),
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
  });
  return { ...summary, stats: { ...sampler.stats } };
}
