import { buildAppearances } from './appearances.js';
import { type Letterbox, unletterbox } from './geometry.js';
import { classwiseNms } from './nms.js';
import { frameSignature, Sampler, type SamplingPolicy, type SamplingStats } from './sampling.js';
import type { Appearance, Candidate, FrameResult, ModelInfo } from './types.js';

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
  stats: SamplingStats;
}

/**
 * The whole job, free of HTTP, ffmpeg and ONNX: pick frames to look at, run the detector on
 * them, keep animal detections after class-wise NMS, and merge them into appearances.
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
  const results: FrameResult[] = [];
  const inFlight: Promise<void>[] = [];

  const run = async (frame: DecodedFrame, reason: FrameResult['reason']) => {
    const raw = await detector.detect(frame.data, o.minConfidence);
    const candidates: Candidate[] = raw
      .filter((d) => o.species.has(labels[d.classId] ?? ''))
      .map((d) => ({ classId: d.classId, score: d.score, box: unletterbox(lb, d.x1, d.y1, d.x2, d.y2) }))
      .filter((c) => c.box.w > 0 && c.box.h > 0);
    results.push({
      frameIndex: frame.index,
      timeSec: Math.round(frame.timeSec * 1000) / 1000,
      reason,
      detections: classwiseNms(candidates, o.iouThreshold).map((c) => ({
        species: labels[c.classId] as string,
        confidence: Math.round(c.score * 1000) / 1000,
        box: roundBox(c.box),
      })),
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
  results.sort((a, b) => a.timeSec - b.timeSec);
  return {
    frames: results,
    appearances: buildAppearances(results, o.durationSec, o.gapToleranceSec),
    stats: { ...sampler.stats },
  };
}

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;
const roundBox = (b: { x: number; y: number; w: number; h: number }) => ({
  x: r4(b.x),
  y: r4(b.y),
  w: r4(b.w),
  h: r4(b.h),
});
