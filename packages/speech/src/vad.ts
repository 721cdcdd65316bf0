import { open } from 'node:fs/promises';
import { SAMPLE_RATE } from './audio.js';

export interface SpeechRegion {
  /** Seconds. */
  start: number;
  end: number;
}

export interface VadOptions {
  frameMs?: number;
  /** Frames this far (dB) above the noise floor count as voiced. */
  marginDb?: number;
  /** Never voiced below this level (dBFS): near-silence is not speech. */
  minDbfs?: number;
  /** Gaps shorter than this (s) are bridged; regions shorter than minSpeech (s) are dropped. */
  maxGap?: number;
  minSpeech?: number;
  /** Padding (s) kept around each region so words are not clipped. */
  pad?: number;
}

/** Length of one energy frame (ms): what frameEnergies measures and what its readers assume. */
export const FRAME_MS = 30;

/** Per-frame energy (dBFS) of a float PCM file, read in chunks (bounded memory for long files). */
export async function frameEnergies(path: string, frameMs = FRAME_MS): Promise<Float32Array> {
  const frame = Math.round((SAMPLE_RATE * frameMs) / 1000);
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const frames = Math.floor(size / 4 / frame);
    const out = new Float32Array(frames);
    const chunkFrames = 1000;
    const buf = Buffer.alloc(chunkFrames * frame * 4);
    for (let f0 = 0; f0 < frames; f0 += chunkFrames) {
      const n = Math.min(chunkFrames, frames - f0);
      await fh.read(buf, 0, n * frame * 4, f0 * frame * 4);
      for (let f = 0; f < n; f++) {
        let sum = 0;
        for (let i = 0; i < frame; i++) {
          const v = buf.readFloatLE((f * frame + i) * 4);
          sum += v * v;
        }
        out[f0 + f] = 10 * Math.log10(sum / frame + 1e-12);
      }
    }
    return out;
  } finally {
    await fh.close();
  }
}

/**
 * Energy voice-activity detection with an adaptive noise floor: frames well above the floor are
 * voiced; short gaps are bridged, blips dropped, regions padded. It finds sound that may be
 * speech; whether it is speech is then for the recogniser (music yields no words).
 */
export function detectSpeech(energies: Float32Array, opts: VadOptions = {}): SpeechRegion[] {
  const frameSec = (opts.frameMs ?? FRAME_MS) / 1000;
  if (energies.length === 0) return [];
  const sorted = Float32Array.from(energies).sort();
  const floor = sorted[Math.floor(sorted.length * 0.1)] as number;
  const threshold = Math.max(floor + (opts.marginDb ?? 12), opts.minDbfs ?? -50);
  const regions: SpeechRegion[] = [];
  let start = -1;
  for (let i = 0; i <= energies.length; i++) {
    const voiced = i < energies.length && (energies[i] as number) > threshold;
    if (voiced && start < 0) start = i;
    if (!voiced && start >= 0) {
      regions.push({ start: start * frameSec, end: i * frameSec });
      start = -1;
    }
  }
  const maxGap = opts.maxGap ?? 0.35;
  const merged: SpeechRegion[] = [];
  for (const r of regions) {
    const last = merged[merged.length - 1];
    if (last && r.start - last.end <= maxGap) last.end = r.end;
    else merged.push({ ...r });
  }
  const pad = opts.pad ?? 0.15;
  const total = energies.length * frameSec;
  const kept = merged
    .filter((r) => r.end - r.start >= (opts.minSpeech ?? 0.25))
    .map((r) => ({ start: Math.max(0, r.start - pad), end: Math.min(total, r.end + pad) }));
  // Padding may make neighbours touch: merge again.
  const out: SpeechRegion[] = [];
  for (const r of kept) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

export function speechSeconds(regions: SpeechRegion[]): number {
  return regions.reduce((s, r) => s + (r.end - r.start), 0);
}

/**
 * Maps an interval of speech-only time [from, from+length) back to file time ranges (seconds),
 * skipping the silences between regions.
 */
export function speechTimeToRanges(regions: SpeechRegion[], from: number, length: number): SpeechRegion[] {
  const out: SpeechRegion[] = [];
  let t = 0;
  let need = length;
  for (const r of regions) {
    const len = r.end - r.start;
    if (need <= 0) break;
    if (t + len <= from) {
      t += len;
      continue;
    }
    const startIn = Math.max(0, from - t);
    const take = Math.min(len - startIn, need);
    out.push({ start: r.start + startIn, end: r.start + startIn + take });
    need -= take;
    t += len;
  }
  return out;
}
