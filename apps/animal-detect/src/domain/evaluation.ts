import { ANIMAL_LABEL, type Candidate } from './types.js';

/** What the scoring reads of an appearance. */
export interface ScoredAppearance {
  species: string;
  ranges: readonly { startSec: number; endSec: number; candidates?: readonly Candidate[] }[];
  candidates?: readonly Candidate[];
}

/** A stretch of video between two cuts and the animals a viewer sees in it (ground truth). */
export interface LabelledSegment {
  startSec: number;
  endSec: number;
  species: readonly string[];
  /** Animals that are only partly there (they leave the picture): reporting them is not scored. */
  maybe?: readonly string[];
}

export interface AppearanceScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** `label@start-end` for each wrong report and each missed appearance. */
  unexpected: string[];
  missed: string[];
}

export interface Evaluation {
  /** Species-level appearances: a report of `animal` is no species claim, so it counts in neither. */
  species: AppearanceScore;
  /** "An animal is there", whatever its label: any report in a segment with an animal is right. */
  animal: AppearanceScore;
  /** Segments where `animal` was reported (hedged): `animal@start-end (dog 0.6, cat 0.4)`. */
  hedged: string[];
}

/** Seconds of [start, end) that the ranges cover. */
function covered(
  ranges: readonly { startSec: number; endSec: number }[],
  start: number,
  end: number,
): number {
  return ranges.reduce((s, r) => s + Math.max(0, Math.min(end, r.endSec) - Math.max(start, r.startSec)), 0);
}

function score(truePositives: number, unexpected: string[], missed: string[]): AppearanceScore {
  const reported = truePositives + unexpected.length;
  const expected = truePositives + missed.length;
  return {
    truePositives,
    falsePositives: unexpected.length,
    falseNegatives: missed.length,
    precision: reported ? truePositives / reported : 1,
    recall: expected ? truePositives / expected : 1,
    unexpected,
    missed,
  };
}

/**
 * Precision and recall of appearances, segment by segment: a label counts as reported in a
 * segment when its ranges cover at least half of it. Species level: a reported species is
 * right when the segment has it, an expected species is found when it is reported. Animal
 * level: one question per segment, "is there an animal?".
 */
export function evaluateAppearances(
  found: readonly ScoredAppearance[],
  truth: readonly LabelledSegment[],
): Evaluation {
  const unexpected: string[] = [];
  const missed: string[] = [];
  const animalWrong: string[] = [];
  const animalMissed: string[] = [];
  const hedged: string[] = [];
  let tp = 0;
  let animalTp = 0;
  for (const seg of truth) {
    const length = seg.endSec - seg.startSec;
    const reported = found.filter((a) => covered(a.ranges, seg.startSec, seg.endSec) >= 0.5 * length);
    const where = `@${seg.startSec}-${seg.endSec}s`;
    const species = reported.map((a) => a.species).filter((s) => s !== ANIMAL_LABEL);
    for (const s of species) {
      if (seg.species.includes(s)) tp++;
      else if (!seg.maybe?.includes(s)) unexpected.push(`${s}${where}`);
    }
    for (const s of seg.species) if (!species.includes(s)) missed.push(`${s}${where}`);
    for (const a of reported.filter((r) => r.species === ANIMAL_LABEL)) {
      // What it might be here: the candidates of the range covering this segment most.
      const range = [...a.ranges].sort(
        (x, y) => covered([y], seg.startSec, seg.endSec) - covered([x], seg.startSec, seg.endSec),
      )[0];
      const c = (range?.candidates ?? a.candidates ?? []).map((x) => `${x.species} ${x.share}`).join(', ');
      hedged.push(`${ANIMAL_LABEL}${where} (${c})`);
    }
    const hasAnimal = seg.species.length > 0;
    if (reported.length > 0 && hasAnimal) animalTp++;
    else if (reported.length > 0 && !seg.maybe?.length) animalWrong.push(`${ANIMAL_LABEL}${where}`);
    else if (reported.length === 0 && hasAnimal) animalMissed.push(`${ANIMAL_LABEL}${where}`);
  }
  return {
    species: score(tp, unexpected, missed),
    animal: score(animalTp, animalWrong, animalMissed),
    hedged,
  };
}

/** Species-level precision and recall alone (see `evaluateAppearances`). */
export function scoreAppearances(
  found: readonly ScoredAppearance[],
  truth: readonly LabelledSegment[],
): AppearanceScore {
  return evaluateAppearances(found, truth).species;
}
