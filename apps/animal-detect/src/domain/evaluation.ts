import type { Appearance } from './types.js';

/** A stretch of video between two cuts and the animals a viewer sees in it (ground truth). */
export interface LabelledSegment {
  startSec: number;
  endSec: number;
  species: readonly string[];
}

export interface AppearanceScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** `species@start-end` for each wrong report and each missed appearance. */
  unexpected: string[];
  missed: string[];
}

/** Seconds of [start, end) that the ranges cover. */
function covered(
  ranges: readonly { startSec: number; endSec: number }[],
  start: number,
  end: number,
): number {
  return ranges.reduce((s, r) => s + Math.max(0, Math.min(end, r.endSec) - Math.max(start, r.startSec)), 0);
}

/**
 * Precision and recall of species-level appearances, segment by segment: a species counts as
 * reported in a segment when its ranges cover at least half of it. A report is right when the
 * segment's ground truth has that species; an expected species is found when it is reported.
 */
export function scoreAppearances(
  found: readonly Pick<Appearance, 'species' | 'ranges'>[],
  truth: readonly LabelledSegment[],
): AppearanceScore {
  const unexpected: string[] = [];
  const missed: string[] = [];
  let truePositives = 0;
  for (const seg of truth) {
    const length = seg.endSec - seg.startSec;
    const reported = found
      .filter((a) => covered(a.ranges, seg.startSec, seg.endSec) >= 0.5 * length)
      .map((a) => a.species);
    const where = `@${seg.startSec}-${seg.endSec}s`;
    for (const s of reported) {
      if (seg.species.includes(s)) truePositives++;
      else unexpected.push(`${s}${where}`);
    }
    for (const s of seg.species) if (!reported.includes(s)) missed.push(`${s}${where}`);
  }
  const reportedCount = truePositives + unexpected.length;
  const expectedCount = truePositives + missed.length;
  return {
    truePositives,
    falsePositives: unexpected.length,
    falseNegatives: missed.length,
    precision: reportedCount ? truePositives / reportedCount : 1,
    recall: expectedCount ? truePositives / expectedCount : 1,
    unexpected,
    missed,
  };
}
