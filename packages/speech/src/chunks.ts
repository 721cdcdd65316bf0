import { FRAME_MS, type SpeechRegion } from './vad.js';

export interface ChunkOptions {
  /** Longest chunk (s): under Whisper's 30 s context. */
  maxSeconds?: number;
  /**
   * Chunks recognised at once (the engine's lanes): when there is enough speech, it is cut into a
   * multiple of this many chunks of similar length, so no lane idles while another works alone.
   */
  lanes?: number;
  /** Balancing never cuts chunks shorter than this (s); speech between long silences stays as it is. */
  minSeconds?: number;
  /** A silence this long (s) always ends a chunk (Whisper is not fed long silences). */
  splitGap?: number;
  /** Length of one energy frame (s). */
  frameSec?: number;
}

type Span = SpeechRegion;

interface Cut {
  /** End of the chunk before the cut, start of the one after (apart when the cut is in a silence). */
  end: number;
  next: number;
}

/**
 * Groups voice activity's regions into recogniser chunks: at most `maxSeconds` each, cut where it
 * is quietest near a balanced length — first in the silences between regions, inside a region
 * only at the quietest stretch the frame energies show (a pause, not a word) — so that `lanes`
 * chunks recognised at once take about the same time. Times stay file times; the chunks cover
 * every region, and a cut in a silence leaves the silence out.
 */
export function planChunks(
  regions: SpeechRegion[],
  energies: Float32Array | undefined,
  opts: ChunkOptions = {},
): SpeechRegion[] {
  const o = {
    maxSeconds: opts.maxSeconds ?? 28,
    lanes: Math.max(1, opts.lanes ?? 1),
    minSeconds: opts.minSeconds ?? 5,
    splitGap: opts.splitGap ?? 2,
    frameSec: opts.frameSec ?? FRAME_MS / 1000,
  };
  const level = quietness(regions, energies, o.frameSec);
  const silence = (t: number) => silenceAt(regions, t);
  const spans = groupSpans(regions, o.splitGap);
  const out: SpeechRegion[] = [];
  const length = (s: Span) => s.end - s.start;
  const total = spans.reduce((sum, s) => sum + length(s), 0);
  const fewest = spans.reduce((n, s) => n + Math.ceil(length(s) / o.maxSeconds), 0);
  // A multiple of the lanes, unless that would make chunks shorter than minSeconds.
  const pieces = Math.max(
    fewest,
    Math.min(Math.ceil(fewest / o.lanes) * o.lanes, Math.floor(total / o.minSeconds)),
  );
  const target = pieces > 0 ? total / pieces : o.maxSeconds;
  for (const s of spans) {
    const least = Math.ceil(length(s) / o.maxSeconds);
    const most = Math.max(least, Math.floor(length(s) / o.minSeconds));
    out.push(
      ...cutSpan(s, Math.min(most, Math.max(least, Math.round(length(s) / target))), level, silence, o),
    );
  }
  return out;
}

/** Regions closer than `splitGap` make one span (a chunk may bridge their short silences). */
function groupSpans(regions: SpeechRegion[], splitGap: number): Span[] {
  const spans: Span[] = [];
  for (const r of regions) {
    const last = spans[spans.length - 1];
    if (last && r.start - last.end < splitGap) last.end = Math.max(last.end, r.end);
    else spans.push({ start: r.start, end: r.end });
  }
  return spans;
}

/** Cuts a span into `k` chunks, each cut the quietest point near an even share of what is left. */
function cutSpan(
  span: Span,
  k: number,
  level: (t: number) => number,
  silence: (t: number) => Cut | undefined,
  o: { maxSeconds: number; frameSec: number },
): SpeechRegion[] {
  const out: SpeechRegion[] = [];
  let pos = span.start;
  for (let left = k; left > 1; left--) {
    const share = (span.end - pos) / left;
    // The rest must still fit in left - 1 chunks; no chunk under half its share.
    const lo = Math.max(pos + share / 2, span.end - (left - 1) * o.maxSeconds);
    const hi = Math.min(pos + o.maxSeconds, span.end - ((left - 1) * share) / 2);
    const cut = quietestCut(level, Math.min(lo, hi), hi, pos + share, share, o.frameSec, silence);
    out.push({ start: pos, end: cut.end });
    pos = cut.next;
  }
  out.push({ start: pos, end: span.end });
  return out;
}

/**
 * The best cut in [lo, hi]: the quietest (0 in a silence between regions, 0.5–1.5 inside one,
 * by its energy) plus the distance from `ideal` in shares. So a silence up to half a share before
 * (a share after) wins over a pause inside speech, and a pause over a word.
 */
function quietestCut(
  level: (t: number) => number,
  lo: number,
  hi: number,
  ideal: number,
  share: number,
  frameSec: number,
  silence: (t: number) => Cut | undefined,
): Cut {
  let best = Math.min(Math.max(ideal, lo), hi);
  let bestCost = Number.POSITIVE_INFINITY;
  for (let t = lo; t <= hi + 1e-9; t += frameSec) {
    // Past the ideal counts half: the chunk before keeps more of what follows, which Whisper reads
    // words with (LibriVox's "ill disposed" came out "ill-sposed" when its chunk ended right after).
    const cost = level(t) + (t < ideal ? ideal - t : (t - ideal) / 2) / share;
    if (cost < bestCost) {
      bestCost = cost;
      best = t;
    }
  }
  const t = Math.min(hi, Math.max(lo, Math.round(best * 1000) / 1000));
  return silence(t) ?? { end: t, next: t };
}

/** Index of the first region ending after t (regions are sorted and apart). */
function regionAfter(regions: SpeechRegion[], t: number): number {
  let lo = 0;
  let hi = regions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((regions[mid] as SpeechRegion).end <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** When t is in a silence between two regions: the chunk before ends at the first, the next starts at the second. */
function silenceAt(regions: SpeechRegion[], t: number): Cut | undefined {
  const i = regionAfter(regions, t);
  const after = regions[i];
  const before = regions[i - 1];
  if (!after || !before || after.start < t) return undefined;
  return { end: before.end, next: after.start };
}

/**
 * How bad a cut at time t is: 0 between regions (silence); inside a region 0.5 for its quietest
 * stretch up to 1.5 for its loudest (mean energy over ±2 frames, ~150 ms), 1.5 throughout when
 * there are no energies.
 */
function quietness(
  regions: SpeechRegion[],
  energies: Float32Array | undefined,
  frameSec: number,
): (t: number) => number {
  const inside = (t: number) => {
    const r = regions[regionAfter(regions, t)];
    return r !== undefined && r.start < t;
  };
  if (!energies || energies.length === 0) return (t) => (inside(t) ? 1.5 : 0);
  const voiced: number[] = [];
  for (const r of regions) {
    for (let f = Math.floor(r.start / frameSec); f < Math.min(energies.length, r.end / frameSec); f++)
      voiced.push(energies[f] as number);
  }
  voiced.sort((a, b) => a - b);
  const quiet = voiced[Math.floor(voiced.length * 0.05)] ?? -60;
  const loud = voiced[Math.floor(voiced.length * 0.9)] ?? 0;
  const range = Math.max(1, loud - quiet);
  return (t) => {
    if (!inside(t)) return 0;
    const f = Math.floor(t / frameSec);
    let sum = 0;
    let n = 0;
    for (let i = Math.max(0, f - 2); i <= Math.min(energies.length - 1, f + 2); i++) {
      sum += energies[i] as number;
      n++;
    }
    const db = n > 0 ? sum / n : loud;
    return 0.5 + Math.min(1, Math.max(0, (db - quiet) / range));
  };
}
