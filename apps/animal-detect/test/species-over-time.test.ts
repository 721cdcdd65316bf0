import { describe, expect, it } from 'vitest';
import { summarise } from '../src/domain/appearances.js';
import { evaluateAppearances } from '../src/domain/evaluation.js';
import { bestView, frameQuality } from '../src/domain/frame-quality.js';
import { COCO_CLOSE_SPECIES } from '../src/domain/labels.js';
import { animalObjects, groupObjects } from '../src/domain/objects.js';
import { boxSharpness, sharpnessGrid } from '../src/domain/sharpness.js';
import { shotConsensus } from '../src/domain/shot-consensus.js';
import { DEFAULT_VOTE, decide, tally } from '../src/domain/species-vote.js';
import { buildTracks, type TrackedObject, type TrackerFrame } from '../src/domain/tracking.js';
import type { Box, SampleReason } from '../src/domain/types.js';

const box = (x: number, y: number, w: number, h: number): Box => ({ x, y, w, h });
const obj = (b: Box, scores: Record<string, number>, sharpness = 0.05): TrackedObject => {
  const entries = Object.entries(scores).sort((a, c) => c[1] - a[1]);
  return { box: b, scores: new Map(entries), top: entries[0]?.[0] ?? '', sharpness };
};
const frame = (timeSec: number, reason: SampleReason, ...objects: TrackedObject[]): TrackerFrame => ({
  frameIndex: Math.round(timeSec * 4),
  timeSec,
  reason,
  objects,
});
const ALL = new Set(['dog', 'cat', 'horse', 'cow', 'giraffe', 'zebra', 'bird']);
const options = { durationSec: 12, gapToleranceSec: 1.5, minConfidence: 0.45, species: ALL };

describe('objects in a frame', () => {
  it('puts the classes the model gives one box on one object, and keeps apart what does not overlap', () => {
    const objects = groupObjects([
      { label: 'horse', score: 0.6, box: box(0.1, 0.1, 0.3, 0.3) },
      { label: 'cow', score: 0.4, box: box(0.11, 0.1, 0.3, 0.31) },
      { label: 'dog', score: 0.7, box: box(0.6, 0.6, 0.2, 0.2) },
    ]);
    expect(objects).toHaveLength(2);
    expect(objects[0]?.top).toBe('dog');
    expect([...(objects[1]?.scores ?? [])]).toEqual([
      ['horse', 0.6],
      ['cow', 0.4],
    ]);
  });

  it('never makes an animal of what the model sees first as a person', () => {
    const objects = groupObjects([
      { label: 'person', score: 0.8, box: box(0.4, 0.1, 0.2, 0.8) },
      { label: 'dog', score: 0.5, box: box(0.41, 0.12, 0.2, 0.78) },
      { label: 'dog', score: 0.7, box: box(0.05, 0.6, 0.2, 0.2) },
    ]);
    const animals = animalObjects(objects, ALL);
    expect(animals).toHaveLength(1);
    expect(animals[0]?.box.x).toBe(0.05);
  });

  it('nor of a box it sees hardly more as a bird than as a person', () => {
    const walker = box(0.02, 0.8, 0.05, 0.18);
    const objects = groupObjects([
      { label: 'bird', score: 0.48, box: walker },
      { label: 'person', score: 0.34, box: walker },
    ]);
    expect(animalObjects(objects, ALL)).toEqual([]);
    const clear = groupObjects([
      { label: 'bird', score: 0.7, box: walker },
      { label: 'person', score: 0.34, box: walker },
    ]);
    expect(animalObjects(clear, ALL).map((o) => [...o.scores])).toEqual([[['bird', 0.7]]]);
  });
});

describe('tracks', () => {
  it('follow an animal through a pan and a zoom, but never across a cut', () => {
    const tracks = buildTracks([
      frame(0, 'first', obj(box(0.1, 0.3, 0.2, 0.2), { dog: 0.7 })),
      frame(1, 'change', obj(box(0.15, 0.3, 0.2, 0.2), { dog: 0.6 })),
      // Zooming in: the box grows around the same centre.
      frame(2, 'change', obj(box(0.1, 0.22, 0.3, 0.3), { dog: 0.65 })),
      // A cut to another shot with an animal in the same place.
      frame(3, 'scene', obj(box(0.1, 0.2, 0.4, 0.4), { cat: 0.6 })),
    ]);
    expect(tracks.map((t) => t.observations.map((o) => o.timeSec))).toEqual([[0, 1, 2], [3]]);
  });

  it('survive one missed look, not two, and keep two animals apart', () => {
    const a = box(0.1, 0.1, 0.2, 0.2);
    const b = box(0.6, 0.6, 0.2, 0.2);
    const tracks = buildTracks([
      frame(0, 'first', obj(a, { horse: 0.6 }), obj(b, { zebra: 0.6 })),
      frame(1, 'base', obj(b, { zebra: 0.6 })),
      frame(2, 'base', obj(a, { horse: 0.6 }), obj(b, { zebra: 0.6 })),
      frame(3, 'base', obj(b, { zebra: 0.6 })),
      frame(4, 'base', obj(b, { zebra: 0.6 })),
      frame(5, 'base', obj(a, { horse: 0.6 }), obj(b, { zebra: 0.6 })),
    ]);
    expect(tracks.map((t) => t.observations.map((o) => o.timeSec))).toEqual([
      [0, 2],
      [0, 1, 2, 3, 4, 5],
      [5],
    ]);
  });
});

describe('the species vote', () => {
  const looks = (...scores: Record<string, number>[]) =>
    scores.map((s, k) => ({ frame: k, timeSec: k, object: obj(box(0, 0, 0.5, 0.5), s) }));

  it('names the species the frames agree on, a faint second guess weighing little', () => {
    const v = decide(tally(looks({ dog: 0.57, cat: 0.31 }, { dog: 0.6 })));
    expect(v.species).toBe('dog');
    expect(v.candidates[0]?.species).toBe('dog');
    expect(v.candidates[0]?.share).toBeGreaterThan(0.95);
  });

  it('answers "animal" with the candidates and their shares when the frames disagree', () => {
    const v = decide(tally(looks({ horse: 0.65, cow: 0.6 }, { cow: 0.7 }, { horse: 0.7, cow: 0.35 })));
    expect(v.species).toBe('animal');
    expect(v.candidates.map((c) => c.species)).toEqual(['cow', 'horse']);
    expect(v.candidates.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 2);
    // Three confident frames more for the horse outvote the cow.
    const more = decide(
      tally(looks({ horse: 0.65, cow: 0.6 }, { horse: 0.9 }, { horse: 0.9 }, { horse: 0.9 })),
    );
    expect(more.species).toBe('horse');
  });

  it('decides a shot whose tracks disagree between close species as a whole', () => {
    const track = (shot: number, scores: Record<string, number>) => {
      const votes = tally(looks(scores));
      return { shot, votes, verdict: decide(votes) };
    };
    const verdicts = shotConsensus(
      [
        track(0, { horse: 0.8 }),
        track(0, { horse: 0.75, cow: 0.4 }),
        track(0, { cow: 0.5 }),
        track(0, { giraffe: 0.8 }),
        track(1, { cow: 0.7 }),
      ],
      COCO_CLOSE_SPECIES,
      DEFAULT_VOTE,
    );
    // The herd of shot 0 is horses (0.5 + 0.45 for horse, 0.1 + 0.2 for cow); the giraffe
    // and shot 1's cow keep their own verdicts.
    expect(verdicts.map((v) => v.species)).toEqual(['horse', 'horse', 'horse', 'giraffe', 'cow']);
  });
});

describe('best frames', () => {
  it('prefer a large, sharp, whole animal over a small or blurred or cut-off one', () => {
    const small = { confidence: 0.9, box: box(0.4, 0.4, 0.1, 0.1), sharpness: 0.06 };
    const large = { confidence: 0.7, box: box(0.2, 0.2, 0.5, 0.5), sharpness: 0.06 };
    const blurred = { ...large, confidence: 0.75, sharpness: 0.004 };
    const cut = { ...large, confidence: 0.72, box: box(0, 0, 0.6, 0.6) };
    expect(bestView([small, blurred, cut, large])).toBe(large);
    expect(frameQuality(blurred)).toBeLessThan(frameQuality(large));
  });

  it('rates sharpness from the pixels of the box only', () => {
    const size = 64;
    const rgb = new Uint8Array(size * size * 3);
    // Left half: a fine checkerboard (sharp); right half: flat grey (nothing in focus).
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        rgb.fill(x < 32 ? ((x + y) % 2) * 255 : 128, (y * size + x) * 3, (y * size + x) * 3 + 3);
    const grid = sharpnessGrid(rgb, size, { x: 0, y: 0, w: size, h: size });
    expect(boxSharpness(grid, box(0, 0, 0.5, 1))).toBeGreaterThan(0.5);
    expect(boxSharpness(grid, box(0.6, 0, 0.4, 1))).toBeCloseTo(0, 6);
  });
});

describe('appearances from tracks', () => {
  it('reports each track under its decided label, ranges standing until the next look', () => {
    const dog = box(0.1, 0.3, 0.2, 0.2);
    const horse = box(0.5, 0.3, 0.3, 0.3);
    const s = summarise(
      [
        frame(0, 'first', obj(dog, { dog: 0.7 })),
        frame(2, 'base', obj(dog, { dog: 0.8 })),
        frame(4, 'scene'),
        frame(6, 'scene', obj(horse, { horse: 0.6, cow: 0.55 })),
        frame(8, 'base', obj(horse, { cow: 0.6, horse: 0.5 })),
        frame(10, 'scene', obj(dog, { dog: 0.4 })),
      ],
      options,
    );
    expect(s.appearances.map((a) => a.species)).toEqual(['dog', 'animal']);
    const [dogs, animal] = s.appearances;
    expect(dogs?.ranges).toEqual([{ startSec: 0, endSec: 4, peakConfidence: 0.8 }]);
    expect(dogs?.best.timeSec).toBe(2);
    expect(animal?.ranges[0]).toMatchObject({ startSec: 6, endSec: 10 });
    expect(animal?.candidates?.map((c) => c.species)).toEqual(['cow', 'horse']);
    expect(animal?.ranges[0]?.candidates).toEqual(animal?.candidates);
    // The faint dog at 10 s (0.4 < minConfidence 0.45) is not reported.
    expect(s.tracks.map((t) => [t.id, t.species, t.frames])).toEqual([
      [1, 'dog', 2],
      [2, 'animal', 2],
    ]);
    expect(s.frames.find((f) => f.timeSec === 8)?.detections).toEqual([
      { species: 'animal', confidence: 0.6, box: horse, track: 2 },
    ]);
  });

  it('drops a one-off in a shot looked at again and again, unless the model was sure', () => {
    const kite = box(0.4, 0.1, 0.05, 0.05);
    const pan = (score: number) => [
      frame(0, 'first'),
      frame(1, 'change', obj(kite, { bird: score })),
      frame(2, 'change'),
      frame(3, 'change'),
    ];
    expect(summarise(pan(0.5), options).appearances).toEqual([]);
    expect(summarise(pan(0.7), options).appearances.map((a) => a.species)).toEqual(['bird']);
    // A still shot looked at once: its only look is all there is.
    expect(summarise([frame(0, 'first', obj(kite, { bird: 0.5 }))], options).appearances).toHaveLength(1);
  });

  it('keeps an "animal" when one of its candidates was asked for, and only then', () => {
    const frames = [frame(0, 'first', obj(box(0.5, 0.3, 0.3, 0.3), { horse: 0.6, cow: 0.58 }))];
    expect(summarise(frames, { ...options, species: new Set(['cow']) }).appearances).toHaveLength(1);
    expect(summarise(frames, { ...options, species: new Set(['giraffe']) }).appearances).toHaveLength(0);
  });
});

describe('precision and recall of appearances', () => {
  it('scores species and "an animal is there" segment by segment; "animal" is no species claim', () => {
    const found = [
      { species: 'dog', ranges: [{ startSec: 0, endSec: 4 }] },
      { species: 'cow', ranges: [{ startSec: 8, endSec: 12 }] },
      {
        species: 'animal',
        ranges: [{ startSec: 12, endSec: 16 }],
        candidates: [
          { species: 'horse', share: 0.6 },
          { species: 'cow', share: 0.4 },
        ],
      },
      { species: 'dog', ranges: [{ startSec: 16, endSec: 18 }] },
    ];
    const e = evaluateAppearances(found, [
      { startSec: 0, endSec: 4, species: ['dog'] },
      { startSec: 4, endSec: 8, species: [] },
      { startSec: 8, endSec: 12, species: ['horse', 'zebra'] },
      { startSec: 12, endSec: 16, species: ['horse'] },
      { startSec: 16, endSec: 20, species: ['horse'], maybe: ['dog'] },
    ]);
    expect(e.species.truePositives).toBe(1);
    expect(e.species.unexpected).toEqual(['cow@8-12s']);
    expect(e.species.missed).toEqual(['horse@8-12s', 'zebra@8-12s', 'horse@12-16s', 'horse@16-20s']);
    expect(e.animal.truePositives).toBe(4);
    expect(e.animal.precision).toBe(1);
    expect(e.animal.recall).toBe(1);
    expect(e.hedged).toEqual(['animal@12-16s (horse 0.6, cow 0.4)']);
  });
});
