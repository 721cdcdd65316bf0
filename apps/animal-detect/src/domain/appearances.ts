import { bestView } from './frame-quality.js';
import {
  confirmedScore,
  type Opinion,
  opinionCandidates,
  settledSpecies,
  trackOpinion,
} from './second-opinion.js';
import { shotConsensus } from './shot-consensus.js';
import { DEFAULT_VOTE, decide, tally, type Verdict, type VoteOptions } from './species-vote.js';
import {
  buildTracks,
  DEFAULT_TRACKING,
  type Observation,
  type TrackerFrame,
  type TrackingOptions,
} from './tracking.js';
import {
  ANIMAL_LABEL,
  type Appearance,
  type BestFrame,
  type FrameResult,
  type TimeRange,
  type TrackResult,
} from './types.js';

export interface SummaryOptions {
  durationSec: number;
  /** Seconds of absence that still merge two ranges of one label. */
  gapToleranceSec: number;
  /** A track is reported only if some frame saw it at least this confidently. */
  minConfidence: number;
  /** The species asked for; an `animal` track is kept when one of its candidates was asked for. */
  species: ReadonlySet<string>;
  /** Groups of species the model confuses: a shot's tracks that disagree between them are decided together. */
  closeSpecies?: readonly (readonly string[])[];
  tracking?: TrackingOptions;
  vote?: VoteOptions;
  /** Species the second stage cannot rule out (its word never counts against them). */
  overlooked?: ReadonlySet<string>;
}

export interface Summary {
  appearances: Appearance[];
  tracks: TrackResult[];
  frames: FrameResult[];
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** Confidence at which an animal seen in one look only of a shot looked at many times is kept. */
const SURE_ONE_OFF = 0.6;
const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

/**
 * The confidence an observation gives a label: that species' score (confirmed by the
 * classifier, see `confirmedScore`), or the best one for `animal`.
 */
function confidenceFor(o: Observation, label: string, overlooked: ReadonlySet<string>): number {
  if (label === ANIMAL_LABEL)
    return Math.max(0, ...[...o.object.scores.keys()].map((s) => confirmedScore(o.object, s, overlooked)));
  return confirmedScore(o.object, label, overlooked);
}

type Confidence = (o: Observation, label: string) => number;

interface DecidedTrack {
  id: number;
  observations: Observation[];
  verdict: Verdict;
  votes: Map<string, number>;
  startSec: number;
  endSec: number;
  peak: number;
  opinion?: Opinion;
}

/**
 * From the animal objects of the inferred frames to what a person reads: tracks, each with a
 * species decided by the votes of all its frames (or `animal` when they disagree), then one
 * appearance per label with its time ranges, peak confidence and best frame. An inferred
 * frame stands for the time until the next inferred frame (the sampler looks again at every
 * change); ranges of one label closer than `gapToleranceSec` are merged.
 */
export function summarise(frames: readonly TrackerFrame[], o: SummaryOptions): Summary {
  const standsUntil = (k: number) => {
    const start = frames[k]?.timeSec ?? 0;
    return Math.max(start, Math.min(o.durationSec, frames[k + 1]?.timeSec ?? o.durationSec));
  };
  const vote = o.vote ?? DEFAULT_VOTE;
  const overlooked = o.overlooked ?? new Set<string>();
  const confidence: Confidence = (ob, label) => confidenceFor(ob, label, overlooked);
  // Shots: a new one starts at the first frame and at every cut.
  const shotOf: number[] = [];
  frames.forEach((f, k) => {
    shotOf.push((shotOf[k - 1] ?? -1) + (k === 0 || f.reason === 'scene' || f.reason === 'first' ? 1 : 0));
  });
  const looksIn = new Map<number, number>();
  for (const shot of shotOf) looksIn.set(shot, (looksIn.get(shot) ?? 0) + 1);
  const voted = buildTracks(frames, o.tracking ?? DEFAULT_TRACKING).map((t) => {
    const votes = tally(t.observations, vote.floor, confidence);
    return { t, votes, verdict: decide(votes, vote), shot: shotOf[t.observations[0]?.frame ?? 0] ?? 0 };
  });
  const verdicts = shotConsensus(voted, o.closeSpecies ?? [], vote);
  const decided: DecidedTrack[] = [];
  for (const [k, { t, votes, shot }] of voted.entries()) {
    const opinion = trackOpinion(t.observations);
    const open = verdicts[k] as Verdict;
    const verdict: Verdict = {
      ...open,
      species: settledSpecies(open.species, open.candidates, opinion, ANIMAL_LABEL, overlooked),
    };
    const first = t.observations[0];
    const last = t.observations[t.observations.length - 1];
    if (!first || !last) continue;
    const peak = Math.max(...t.observations.map((ob) => confidence(ob, verdict.species)));
    if (peak < o.minConfidence) continue;
    // A one-off in a shot the detector looked at again and again is a flicker (a kite taken
    // for a bird in one look of a pan), unless the model was sure of it.
    if (t.observations.length === 1 && (looksIn.get(shot) ?? 0) >= 3 && peak < SURE_ONE_OFF) continue;
    const asked =
      verdict.species === ANIMAL_LABEL
        ? verdict.candidates.some((c) => o.species.has(c.species))
        : o.species.has(verdict.species);
    if (!asked) continue;
    decided.push({
      ...(opinion ? { opinion } : {}),
      id: t.id,
      observations: t.observations,
      verdict,
      votes,
      startSec: first.timeSec,
      endSec: standsUntil(last.frame),
      peak,
    });
  }
  // Tracks are numbered again, in the order reported.
  decided.sort((a, b) => a.startSec - b.startSec || a.id - b.id);
  decided.forEach((t, k) => {
    t.id = k + 1;
  });

  const byLabel = new Map<string, DecidedTrack[]>();
  for (const t of decided) byLabel.set(t.verdict.species, [...(byLabel.get(t.verdict.species) ?? []), t]);
  const appearances: Appearance[] = [...byLabel.entries()].map(([label, list]) =>
    appearance(label, list, o.gapToleranceSec, vote, confidence),
  );
  appearances.sort((a, b) => (a.ranges[0]?.startSec ?? 0) - (b.ranges[0]?.startSec ?? 0));

  const tracks: TrackResult[] = decided.map((t) => ({
    id: t.id,
    species: t.verdict.species,
    candidates: t.verdict.candidates,
    startSec: round(t.startSec),
    endSec: round(t.endSec),
    frames: t.observations.length,
    peakConfidence: round(t.peak),
    ...(t.opinion ? { classifier: opinionCandidates(t.opinion) } : {}),
  }));

  const detections = new Map<number, FrameResult['detections']>();
  for (const t of decided) {
    for (const ob of t.observations) {
      const list = detections.get(ob.frame) ?? [];
      list.push({
        species: t.verdict.species,
        confidence: round(confidence(ob, t.verdict.species)),
        box: {
          x: r4(ob.object.box.x),
          y: r4(ob.object.box.y),
          w: r4(ob.object.box.w),
          h: r4(ob.object.box.h),
        },
        track: t.id,
      });
      detections.set(ob.frame, list);
    }
  }
  const frameResults: FrameResult[] = frames.map((f, k) => ({
    frameIndex: f.frameIndex,
    timeSec: round(f.timeSec),
    reason: f.reason,
    detections: detections.get(k) ?? [],
  }));
  return { appearances, tracks, frames: frameResults };
}

function appearance(
  label: string,
  tracks: DecidedTrack[],
  gapToleranceSec: number,
  vote: VoteOptions,
  confidence: Confidence,
): Appearance {
  const spans = [...tracks].sort((a, b) => a.startSec - b.startSec);
  const ranges: (TimeRange & { votes: Map<string, number> })[] = [];
  for (const t of spans) {
    let last = ranges[ranges.length - 1];
    if (last && t.startSec - last.endSec <= gapToleranceSec + 1e-9) {
      last.endSec = Math.max(last.endSec, t.endSec);
      last.peakConfidence = Math.max(last.peakConfidence, t.peak);
    } else {
      last = { startSec: t.startSec, endSec: t.endSec, peakConfidence: t.peak, votes: new Map() };
      ranges.push(last);
    }
    for (const [s, v] of t.votes) last.votes.set(s, (last.votes.get(s) ?? 0) + v);
  }
  const views = tracks.flatMap((t) =>
    t.observations.map((ob) => ({
      timeSec: ob.timeSec,
      confidence: confidence(ob, label),
      box: ob.object.box,
      sharpness: ob.object.sharpness,
    })),
  );
  const best = bestView(views) as BestFrame;
  const frames = new Set(tracks.flatMap((t) => t.observations.map((ob) => ob.frame)));
  const result: Appearance = {
    species: label,
    ranges: ranges.map((r) => ({
      startSec: round(r.startSec),
      endSec: round(r.endSec),
      peakConfidence: round(r.peakConfidence),
      ...(label === ANIMAL_LABEL ? { candidates: decide(r.votes, vote).candidates } : {}),
    })),
    totalSec: round(ranges.reduce((s, r) => s + (r.endSec - r.startSec), 0)),
    peakConfidence: round(Math.max(...tracks.map((t) => t.peak))),
    frames: frames.size,
    tracks: tracks.map((t) => t.id),
    best: {
      timeSec: round(best.timeSec),
      confidence: round(best.confidence),
      box: { x: r4(best.box.x), y: r4(best.box.y), w: r4(best.box.w), h: r4(best.box.h) },
      sharpness: round(best.sharpness),
    },
  };
  if (label === ANIMAL_LABEL) {
    const votes = new Map<string, number>();
    for (const t of tracks) for (const [s, v] of t.votes) votes.set(s, (votes.get(s) ?? 0) + v);
    result.candidates = decide(votes, vote).candidates;
  }
  return result;
}
