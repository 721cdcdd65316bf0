import { describe, expect, it } from 'vitest';
import { planChunks } from '../src/chunks.js';
import type { SpeechRegion } from '../src/vad.js';

const FRAME = 0.03;
const len = (c: SpeechRegion) => c.end - c.start;

/** Frame energies: loud speech (-20 dBFS) inside the regions, -45 dBFS in the given pauses, silence elsewhere. */
function energies(seconds: number, regions: SpeechRegion[], pauses: SpeechRegion[] = []): Float32Array {
  return Float32Array.from({ length: Math.round(seconds / FRAME) }, (_, f) => {
    const t = (f + 0.5) * FRAME;
    if (pauses.some((p) => t >= p.start && t < p.end)) return -45;
    return regions.some((r) => t >= r.start && t < r.end) ? -20 : -90;
  });
}

/** Chunks in order, none over the limit, together covering exactly the speech of every region. */
function expectSound(chunks: SpeechRegion[], regions: SpeechRegion[], max = 28) {
  for (const [i, c] of chunks.entries()) {
    expect(c.end).toBeGreaterThan(c.start);
    expect(len(c)).toBeLessThanOrEqual(max + 1e-9);
    const next = chunks[i + 1];
    if (next) expect(next.start).toBeGreaterThanOrEqual(c.end);
  }
  for (const r of regions) {
    const covered = chunks.reduce(
      (s, c) => s + Math.max(0, Math.min(c.end, r.end) - Math.max(c.start, r.start)),
      0,
    );
    expect(covered).toBeCloseTo(r.end - r.start, 6);
  }
}

/** Sentences of these lengths (s) with 0.5 s silences between them, from 0.35 s. */
function sentences(lengths: number[], gap = 0.5): SpeechRegion[] {
  let t = 0.35;
  return lengths.map((l) => {
    const r = { start: t, end: t + l };
    t += l + gap;
    return r;
  });
}

describe('recogniser chunks', () => {
  it('leaves short speech alone: nothing to balance under two minimum lengths', () => {
    expect(planChunks([], undefined, { lanes: 2 })).toEqual([]);
    const jfk = [{ start: 0.2, end: 11.3 }];
    expect(planChunks(jfk, energies(12, jfk), { lanes: 2, minSeconds: 8 })).toEqual(jfk);
    // Long enough for two lanes at a 5 s minimum: cut at the line's pause.
    const pause = [{ start: 5.4, end: 5.8 }];
    const halves = planChunks(jfk, energies(12, jfk, pause), { lanes: 2, minSeconds: 5 });
    expect(halves).toHaveLength(2);
    expect(halves[1]?.start).toBeGreaterThanOrEqual(5.4 - FRAME);
    expect(halves[1]?.start).toBeLessThanOrEqual(5.8 + FRAME);
    expectSound(halves, jfk);
    const two = sentences([4, 3]);
    expect(planChunks(two, energies(9, two), { lanes: 2, minSeconds: 5 })).toEqual([
      { start: 0.35, end: expect.closeTo(7.85, 6) },
    ]);
  });

  it('balances the lanes by cutting in the silence between sentences nearest an even share', () => {
    // The LibriVox clip's five sentences: 28 s cuts gave 24 s + 3.6 s, one lane alone most of the time.
    const regions = sentences([7.4, 3.3, 5.6, 6.35, 3.6]);
    const e = energies(30, regions);
    const chunks = planChunks(regions, e, { lanes: 2 });
    expectSound(chunks, regions);
    expect(chunks).toHaveLength(2);
    expect(Math.max(...chunks.map(len))).toBeLessThan(18);
    // Cut in a silence: a chunk ends where a sentence ends and the next starts with a sentence.
    expect(regions.map((r) => r.end)).toContain(chunks[0]?.end);
    expect(regions.map((r) => r.start)).toContain(chunks[1]?.start);
  });

  it('cuts inside long speech only at a pause the energies show, never mid-word', () => {
    const speech = [{ start: 0, end: 70 }];
    // Pauses of 0.3 s every ~2.3 s: cuts must land in one of them.
    const pauses = Array.from({ length: 30 }, (_, i) => ({ start: 1.7 + i * 2.3, end: 2.0 + i * 2.3 }));
    const chunks = planChunks(speech, energies(70, speech, pauses), { lanes: 2 });
    expectSound(chunks, speech);
    // 70 s needs 3 chunks of ≤ 28 s; with two lanes, 4 of ~17.5 s.
    expect(chunks).toHaveLength(4);
    for (const c of chunks) expect(len(c)).toBeGreaterThan(14);
    for (const c of chunks.slice(1)) {
      expect(pauses.some((p) => c.start >= p.start - FRAME && c.start <= p.end + FRAME)).toBe(true);
    }
    // One lane: the fewest chunks, still each cut in a pause.
    const one = planChunks(speech, energies(70, speech, pauses), { lanes: 1 });
    expect(one).toHaveLength(3);
    expectSound(one, speech);
  });

  it('without energies cuts long speech into even chunks at the share', () => {
    const speech = [{ start: 5, end: 65 }];
    const chunks = planChunks(speech, undefined, { lanes: 2 });
    expect(chunks.map(len)).toEqual([15, 15, 15, 15].map((n) => expect.closeTo(n, 1)));
    expectSound(chunks, speech);
  });

  it('always ends a chunk at a long silence, and keeps the file times', () => {
    const regions = [
      { start: 1, end: 6 },
      { start: 12, end: 15 },
      { start: 15.5, end: 19 },
    ];
    const chunks = planChunks(regions, energies(20, regions), { lanes: 2 });
    expect(chunks).toEqual([
      { start: 1, end: 6 },
      { start: 12, end: 19 },
    ]);
  });

  it('holds its bounds and covers the speech on any layout of regions', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let run = 0; run < 200; run++) {
      const regions: SpeechRegion[] = [];
      let t = rnd() * 2;
      const n = 1 + Math.floor(rnd() * 12);
      for (let i = 0; i < n; i++) {
        const l = 0.3 + rnd() * (rnd() < 0.2 ? 80 : 8);
        regions.push({ start: t, end: t + l });
        t += l + 0.05 + rnd() * (rnd() < 0.3 ? 5 : 1);
      }
      const lanes = 1 + Math.floor(rnd() * 4);
      const e = rnd() < 0.5 ? energies(t + 1, regions) : undefined;
      const chunks = planChunks(regions, e, { lanes, minSeconds: rnd() < 0.5 ? 5 : 8 });
      expectSound(chunks, regions);
    }
  });
});
