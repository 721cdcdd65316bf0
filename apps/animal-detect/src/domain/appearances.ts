import type { Appearance, BestFrame, FrameResult, TimeRange } from './types.js';

/**
 * Turns per-frame detections into appearances: for each species, the time ranges in which it
 * is visible. An inferred frame stands for the time until the next inferred frame (the
 * sampler looks again at every scene change, so the frames in between look alike); ranges
 * separated by a gap up to `gapToleranceSec` are merged. Species are sorted by first sight.
 */
export function buildAppearances(
  frames: readonly FrameResult[],
  durationSec: number,
  gapToleranceSec: number,
): Appearance[] {
  const sorted = [...frames].sort((a, b) => a.timeSec - b.timeSec);
  const bySpecies = new Map<string, { ranges: TimeRange[]; frames: number; best: BestFrame }>();
  sorted.forEach((frame, k) => {
    const start = frame.timeSec;
    const end = Math.max(start, Math.min(durationSec, sorted[k + 1]?.timeSec ?? durationSec));
    const peaks = new Map<string, (typeof frame.detections)[number]>();
    for (const d of frame.detections) {
      const prior = peaks.get(d.species);
      if (!prior || d.confidence > prior.confidence) peaks.set(d.species, d);
    }
    for (const [species, d] of peaks) {
      let entry = bySpecies.get(species);
      if (!entry) {
        entry = { ranges: [], frames: 0, best: { timeSec: start, confidence: d.confidence, box: d.box } };
        bySpecies.set(species, entry);
      }
      entry.frames++;
      if (d.confidence > entry.best.confidence)
        entry.best = { timeSec: start, confidence: d.confidence, box: d.box };
      const last = entry.ranges[entry.ranges.length - 1];
      if (last && start - last.endSec <= gapToleranceSec + 1e-9) {
        last.endSec = Math.max(last.endSec, end);
        last.peakConfidence = Math.max(last.peakConfidence, d.confidence);
      } else {
        entry.ranges.push({ startSec: start, endSec: end, peakConfidence: d.confidence });
      }
    }
  });
  return [...bySpecies.entries()]
    .map(([species, e]) => ({
      species,
      ranges: e.ranges.map((r) => ({ ...r, startSec: round(r.startSec), endSec: round(r.endSec) })),
      totalSec: round(e.ranges.reduce((s, r) => s + (r.endSec - r.startSec), 0)),
      peakConfidence: e.best.confidence,
      frames: e.frames,
      best: e.best,
    }))
    .sort((a, b) => (a.ranges[0]?.startSec ?? 0) - (b.ranges[0]?.startSec ?? 0));
}

const round = (v: number) => Math.round(v * 1000) / 1000;
