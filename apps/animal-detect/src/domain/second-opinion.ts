import type { Observation } from './tracking.js';
import type { Candidate } from './types.js';

/** What the second stage thinks a track is: its mean probability per species, over the looks it had. */
export interface Opinion {
  /** Species → mean probability over the classified looks (species it can name only). */
  mean: Map<string, number>;
  /** How many of the track's looks were classified. */
  looks: number;
}

/** The classifier's view of a track: its opinions of each look, averaged (none if it never looked). */
export function trackOpinion(observations: readonly Observation[]): Opinion | undefined {
  const seen = observations.flatMap((o) => (o.object.opinion ? [o.object.opinion] : []));
  if (seen.length === 0) return undefined;
  const mean = new Map<string, number>();
  for (const opinion of seen)
    for (const [species, p] of opinion) mean.set(species, (mean.get(species) ?? 0) + p / seen.length);
  return { mean, looks: seen.length };
}

/** The opinion as the answer shows it: species above 5 %, likeliest first. */
export function opinionCandidates(o: Opinion): Candidate[] {
  return [...o.mean]
    .filter(([, p]) => p >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([species, p]) => ({ species, share: Math.round(p * 1000) / 1000 }));
}

/**
 * How sure the classifier must be of a species (its probability on one look, or the mean over
 * a track's looks) to confirm it. Below this it has no say.
 */
export const CONFIRM = 0.6;

/** A look as the second stage's rules read it: the detector's scores on a box, the classifier's view. */
export interface Look {
  scores: ReadonlyMap<string, number>;
  opinion?: ReadonlyMap<string, number>;
}

/**
 * The confidence one look gives a species: the detector's score, raised to the classifier's
 * probability when the classifier, on a crop of the box, is sure of a species the detector
 * put on it. A zebra the detector half sees behind a giraffe ("giraffe 0.37, zebra 0.35") and
 * the classifier names at 0.7 is a zebra at 0.7. The classifier adds no species the detector
 * did not propose, and never speaks against a species it `overlooks` that the detector also
 * saw on the box.
 */
export function confirmedScore(look: Look, species: string, overlooks: ReadonlySet<string>): number {
  const score = look.scores.get(species) ?? 0;
  if (!look.opinion || score <= 0) return score;
  const p = look.opinion.get(species) ?? 0;
  if (p < CONFIRM) return score;
  for (const other of look.scores.keys()) if (other !== species && overlooks.has(other)) return score;
  return Math.max(score, p);
}

/**
 * The species of a track the detector left open (`animal`: its frames split between two
 * species) when the classifier is sure of one of the candidates: an eagle the detector calls
 * a giraffe as often as a bird, and the classifier a bird at 0.8, is a bird. The classifier
 * settles only what the detector left open, only for a species the detector proposed, and
 * never against a species it `overlooks` (ImageNet knows one horse, the chestnut sorrel, and
 * calls grey or white horses ox, ram or a white dog: it cannot rule a horse out). It never
 * overrules a species the detector decided.
 */
export function settledSpecies(
  species: string,
  candidates: readonly Candidate[],
  opinion: Opinion | undefined,
  animalLabel: string,
  overlooks: ReadonlySet<string>,
): string {
  if (species !== animalLabel || !opinion) return species;
  const ranked = [...opinion.mean].sort((a, b) => b[1] - a[1]);
  const [top, p] = ranked[0] ?? ['', 0];
  if (p < CONFIRM || !candidates.some((c) => c.species === top)) return species;
  return candidates.some((c) => c.species !== top && overlooks.has(c.species)) ? species : top;
}
