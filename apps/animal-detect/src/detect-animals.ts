import { join } from 'node:path';
import type { AnimalAppearance } from '@vidp/contracts';
import { type MediaInfo, readRawFrames } from '@vidp/media';
import { writeBestFrame } from './adapters/best-frame.js';
import { type Analysis, analyzeFrames, type Detector, type SpeciesClassifier } from './domain/analyze.js';
import { letterbox } from './domain/geometry.js';
import { decodeRate } from './domain/sampling.js';
import type { Appearance, FrameResult, TrackResult } from './domain/types.js';
import type { DetectOptions } from './routes/options.js';

export interface AnimalsResult {
  /** The detector, and the second-stage classifier when one looked again at each animal. */
  model: { name: string; animals: readonly string[]; classifier?: string };
  video: { durationSec: number; width: number; height: number; fps: number };
  options: { mode: string; fps: number; minConfidence: number; species: string[]; gapToleranceSec: number };
  sampling: {
    decodeFps: number;
    framesDecoded: number;
    framesInferred: number;
    sceneChanges: number;
    nearDuplicatesSkipped: number;
    /** Crops of animals the second-stage classifier looked at (0 without one). */
    cropsClassified: number;
  };
  /** The contract other services read, plus what only this service's callers need. */
  appearances: (AnimalAppearance &
    Omit<Appearance, 'best'> & {
      bestFrame: AnimalAppearance['bestFrame'] & { sharpness: number };
    })[];
  tracks: TrackResult[];
  frames: FrameResult[];
  timing: { totalMs: number };
}

export interface DetectJob {
  videoPath: string;
  info: MediaInfo;
  options: DetectOptions;
  detector: Detector;
  /** The second stage (optional): a classifier on crops of each animal. */
  classifier?: SpeciesClassifier;
  /** Where best-frame pictures are written (a folder the caller removes). */
  workDir: string;
  signal?: AbortSignal;
  onProgress?(progress: number, stage: string): void;
}

const partName = (species: string) => `frame-${species.replace(/[^a-z0-9]+/gi, '-')}`;

/** Runs the analysis on a probed video: frames from ffmpeg, the detector, then best frames. */
export async function detectAnimals(
  job: DetectJob,
): Promise<{ result: AnimalsResult; files: { part: string; path: string; filename: string }[] }> {
  const started = performance.now();
  const v = job.info.video;
  if (!v) throw new Error('no video stream');
  const { options, detector } = job;
  const lb = letterbox(v.displayWidth, v.displayHeight, detector.info.inputSize);
  const fps = decodeRate(options.policy, v.fps);
  const duration = job.info.durationSec || v.durationSec || 0;
  const frames = readRawFrames(job.videoPath, job.info, {
    fps,
    width: lb.size,
    height: lb.size,
    scaleWidth: lb.scaleWidth,
    scaleHeight: lb.scaleHeight,
    padX: lb.padX,
    padY: lb.padY,
    ...(job.signal ? { signal: job.signal } : {}),
  });
  const analysis: Analysis = await analyzeFrames(frames, detector, {
    policy: { ...options.policy, decodeFps: fps },
    letterbox: lb,
    minConfidence: options.minConfidence,
    species: new Set(options.species),
    durationSec: duration,
    gapToleranceSec: options.gapToleranceSec,
    iouThreshold: 0.5,
    ...(job.classifier ? { classifier: job.classifier } : {}),
    ...(job.signal ? { signal: job.signal } : {}),
    onProgress: (t) =>
      job.onProgress?.(duration > 0 ? Math.min(0.95, (0.95 * t) / duration) : 0, 'detecting'),
  });

  job.onProgress?.(0.95, 'best frames');
  const files: { part: string; path: string; filename: string }[] = [];
  for (const a of analysis.appearances) {
    const part = partName(a.species);
    const path = join(job.workDir, `${part}.jpg`);
    await writeBestFrame(job.videoPath, job.info, a.best.timeSec, a.best.box, path, job.signal);
    files.push({ part, path, filename: `${part}.jpg` });
  }
  const result: AnimalsResult = {
    model: {
      name: detector.info.name,
      animals: detector.info.animals,
      ...(job.classifier ? { classifier: job.classifier.info.name } : {}),
    },
    video: { durationSec: duration, width: v.displayWidth, height: v.displayHeight, fps: v.fps },
    options: {
      mode: options.policy.mode,
      fps: options.policy.fps,
      minConfidence: options.minConfidence,
      species: options.species,
      gapToleranceSec: options.gapToleranceSec,
    },
    sampling: { decodeFps: fps, ...analysis.stats },
    appearances: analysis.appearances.map(({ best, ...a }) => ({
      ...a,
      bestFrame: { part: partName(a.species), filename: `${partName(a.species)}.jpg`, ...best },
    })),
    tracks: analysis.tracks,
    frames: analysis.frames,
    timing: { totalMs: Math.round(performance.now() - started) },
  };
  return { result, files };
}
