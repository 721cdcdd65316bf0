import { decide, type Verdict, type VoteOptions } from './species-vote.js';
import { ANIMAL_LABEL } from './types.js';

/** A track as the consensus sees it: its shot, its votes and its own verdict. */
export interface ShotTrack {
  shot: number;
  votes: ReadonlyMap<string, number>;
  verdict: Verdict;
}

/** The species a verdict hesitates between (or names), best first. */
const speciesOf = (v: Verdict) =>
  v.species === ANIMAL_LABEL ? v.candidates.map((c) => c.species) : [v.species];

/**
 * Within one shot, tracks that disagree between close species (one says horse, another cow,
 * a third is split between them) are one question: a herd of horses is likelier than a
 * horse among cows that the model cannot tell apart. Their votes are pooled and the pooled
 * verdict (a species, or `animal`) replaces theirs. Tracks of species that are not close
 * (a giraffe beside a zebra) keep their own verdicts.
 */
export function shotConsensus<T extends ShotTrack>(
  tracks: readonly T[],
  close: readonly (readonly string[])[],
  vote: VoteOptions,
): Verdict[] {
  const verdicts = tracks.map((t) => t.verdict);
  const shots = new Set(tracks.map((t) => t.shot));
  for (const shot of shots) {
    for (const group of close) {
      const members = tracks
        .map((t, k) => ({ t, k }))
        .filter(({ t }) => t.shot === shot && speciesOf(t.verdict).some((s) => group.includes(s)));
      const named = new Set(
        members.flatMap(({ t }) => speciesOf(t.verdict)).filter((s) => group.includes(s)),
      );
      if (named.size < 2) continue;
      const pooled = new Map<string, number>();
      for (const { t } of members) for (const [s, v] of t.votes) pooled.set(s, (pooled.get(s) ?? 0) + v);
      const verdict = decide(pooled, vote);
      for (const { k } of members) verdicts[k] = verdict;
    }
  }
  return verdicts;
}
