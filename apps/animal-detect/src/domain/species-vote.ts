import type { Observation } from './tracking.js';
import { ANIMAL_LABEL, type Candidate } from './types.js';

/**
 * Scores at or above this take part in the vote (and the per-frame grouping) even when the
 * request's `minConfidence` is higher: a weak "cow" on a horse's box is evidence too. Each
 * frame's vote for a species is its score above this floor, so a faint second guess weighs
 * little and a confident one a lot.
 */
export const VOTE_FLOOR = 0.3;

export interface VoteOptions {
  /** Scores count only above this (see `VOTE_FLOOR`). */
  floor: number;
  /** The winner's share of the vote needed to name the species; below it the track is `animal`. */
  agreement: number;
  /** Candidates below this share are left out of the answer (they still count in the vote). */
  minShare: number;
}

export const DEFAULT_VOTE: VoteOptions = { floor: VOTE_FLOOR, agreement: 0.6, minShare: 0.1 };

export interface Verdict {
  /** The species, or `animal` when the frames disagree. */
  species: string;
  /** Every species voted for (share ≥ `minShare`), best first; shares sum to 1 before that cut. */
  candidates: Candidate[];
  /** Sum of the votes (confidence-weighted frames): how much evidence the track has. */
  weight: number;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Adds each class's confidence above `floor` over a track's frames: the votes for each
 * species. `scoreOf` reads an observation's confidence in a species (default: the detector's
 * score; with a second stage, the confirmed one).
 */
export function tally(
  observations: readonly Observation[],
  floor = VOTE_FLOOR,
  scoreOf: (o: Observation, species: string) => number = (o, s) => o.object.scores.get(s) ?? 0,
): Map<string, number> {
  const votes = new Map<string, number>();
  for (const o of observations) {
    for (const species of o.object.scores.keys()) {
      const score = scoreOf(o, species);
      if (score > floor) votes.set(species, (votes.get(species) ?? 0) + (score - floor));
    }
  }
  return votes;
}

/**
 * Decides a species from confidence-weighted votes. One frame that says "horse 0.6, cow 0.4"
 * and five that say "horse" make a horse; frames split between horse and cow make an
 * `animal`, with both candidates and their shares, rather than a confident wrong species.
 */
export function decide(votes: ReadonlyMap<string, number>, o: VoteOptions = DEFAULT_VOTE): Verdict {
  const weight = [...votes.values()].reduce((a, b) => a + b, 0);
  const ranked = [...votes.entries()]
    .map(([species, v]) => ({ species, share: weight > 0 ? v / weight : 0 }))
    .sort((a, b) => b.share - a.share || a.species.localeCompare(b.species));
  const top = ranked[0];
  const candidates = ranked.filter((c) => c.share >= o.minShare).map((c) => ({ ...c, share: r3(c.share) }));
  if (!top) return { species: ANIMAL_LABEL, candidates: [], weight: 0 };
  return { species: top.share >= o.agreement ? top.species : ANIMAL_LABEL, candidates, weight };
}
