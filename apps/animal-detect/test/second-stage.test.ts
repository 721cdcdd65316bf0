import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLegacyStateDict } from '../../../scripts/provision/torch-pickle.js';
import { OnnxClassifier } from '../src/adapters/onnx-classifier.js';
import { configSchema } from '../src/config.js';
import { analyzeFrames, type Detector, type SpeciesClassifier } from '../src/domain/analyze.js';
import { summarise } from '../src/domain/appearances.js';
import { squareCrop } from '../src/domain/crops.js';
import { type Letterbox, letterbox } from '../src/domain/geometry.js';
import { IMAGENET_OVERLOOKS, IMAGENET_SPECIES, speciesMass } from '../src/domain/imagenet-species.js';
import { COCO_LABELS } from '../src/domain/labels.js';
import { faintAnimals, groupObjects } from '../src/domain/objects.js';
import { DEFAULT_POLICY } from '../src/domain/sampling.js';
import { CONFIRM, confirmedScore, settledSpecies } from '../src/domain/second-opinion.js';
import type { TrackedObject, TrackerFrame } from '../src/domain/tracking.js';
import type { Box, SampleReason } from '../src/domain/types.js';

const DARKNET = '/usr/share/darknet/data';
const box = (x: number, y: number, w: number, h: number): Box => ({ x, y, w, h });
const obj = (b: Box, scores: Record<string, number>, opinion?: Record<string, number>): TrackedObject => {
  const entries = Object.entries(scores).sort((a, c) => c[1] - a[1]);
  return {
    box: b,
    scores: new Map(entries),
    top: entries[0]?.[0] ?? '',
    sharpness: 0.05,
    ...(opinion ? { opinion: new Map(Object.entries(opinion)) } : {}),
  };
};
const frame = (timeSec: number, reason: SampleReason, ...objects: TrackedObject[]): TrackerFrame => ({
  frameIndex: Math.round(timeSec * 4),
  timeSec,
  reason,
  objects,
});
const ALL = new Set(['dog', 'cat', 'horse', 'cow', 'giraffe', 'zebra', 'bird']);
const options = {
  durationSec: 6,
  gapToleranceSec: 1.5,
  minConfidence: 0.45,
  species: ALL,
  overlooked: new Set(IMAGENET_OVERLOOKS),
};

describe('ImageNet classes as COCO animals', () => {
  it('names the classes it means, in the order ImageNet-1k classifiers number them', () => {
    // Debian darknet lists the ImageNet synsets with their names; ImageNet-1k classifiers
    // number the first 1000 of them by sorted WordNet id.
    const ids = readFileSync(`${DARKNET}/imagenet.labels.list`, 'utf8').split('\n');
    const names = readFileSync(`${DARKNET}/imagenet.shortnames.list`, 'utf8').split('\n');
    const byIndex = ids
      .slice(0, 1000)
      .map((id, k) => ({ id, name: names[k] as string }))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((x) => x.name);
    const ends = Object.fromEntries(
      Object.entries(IMAGENET_SPECIES).map(([s, ranges]) => [
        s,
        ranges.map(([a, b]) => `${byIndex[a]}..${byIndex[b]}`),
      ]),
    );
    expect(ends).toEqual({
      bird: ['cock..great grey owl', 'black grouse..black swan', 'white stork..albatross'],
      cat: ['tabby..Egyptian cat'],
      dog: ['Chihuahua..Mexican hairless'],
      horse: ['sorrel..sorrel'],
      sheep: ['ram..bighorn'],
      cow: ['ox..bison'],
      elephant: ['tusker..tusker', 'Indian elephant..African elephant'],
      bear: ['brown bear..sloth bear'],
      zebra: ['zebra..zebra'],
    });
    expect(byIndex[22]).toBe('bald eagle');
  });

  it('sums the probabilities per animal, and refuses another number of classes', () => {
    const p = new Float32Array(1000);
    p[22] = 0.5; // bald eagle
    p[21] = 0.2; // kite (the bird)
    p[340] = 0.1; // zebra
    p[701] = 0.2; // parachute: no animal
    const mass = speciesMass(p);
    expect(mass.get('bird')).toBeCloseTo(0.7, 6);
    expect(mass.get('zebra')).toBeCloseTo(0.1, 6);
    expect(mass.has('giraffe')).toBe(false);
    expect(() => speciesMass(new Float32Array(80))).toThrow(/expected 1000 ImageNet classes/);
  });
});

describe('crops for the classifier', () => {
  // A 64 x 64 letterboxed frame holding a 64 x 32 picture (rows 16..47): red left, blue right.
  const lb: Letterbox = { size: 64, scaleWidth: 64, scaleHeight: 32, padX: 0, padY: 16 };
  const frame64 = new Uint8Array(64 * 64 * 3);
  for (let y = 16; y < 48; y++)
    for (let x = 0; x < 64; x++) frame64.set(x < 32 ? [255, 0, 0] : [0, 0, 255], (y * 64 + x) * 3);
  const px = (c: Uint8Array, out: number, x: number, y: number) => [
    ...c.subarray((y * out + x) * 3, (y * out + x) * 3 + 3),
  ];

  it('is a square around the box with a margin, undistorted, grey beyond the picture', () => {
    // A wide box across the middle of the picture: the square is as tall as it is wide, so it
    // reaches past the picture's top and bottom.
    // (48 x 16 pixels: the 48-pixel square spans rows 8..56 of a picture in rows 16..47).
    const crop = squareCrop(frame64, lb, box(0.25, 0.25, 0.75, 0.5), 24, 0);
    expect(crop.length).toBe(24 * 24 * 3);
    expect(px(crop, 24, 2, 12)).toEqual([255, 0, 0]);
    expect(px(crop, 24, 20, 12)).toEqual([0, 0, 255]);
    expect(px(crop, 24, 12, 0)).toEqual([127, 127, 127]);
    expect(px(crop, 24, 12, 23)).toEqual([127, 127, 127]);
    // The margin widens the square around the same centre.
    const wide = squareCrop(frame64, lb, box(0.25, 0.25, 0.75, 0.5), 24, 0.25);
    expect(px(wide, 24, 0, 12)).toEqual([255, 0, 0]);
    expect(px(wide, 24, 23, 12)).toEqual([127, 127, 127]);
  });
});

describe('the second opinion', () => {
  const overlooks = new Set(IMAGENET_OVERLOOKS);

  it('raises the confidence of a species the detector proposed and the classifier is sure of', () => {
    const zebra = {
      scores: new Map([
        ['giraffe', 0.37],
        ['zebra', 0.35],
      ]),
      opinion: new Map([['zebra', 0.7]]),
    };
    expect(confirmedScore(zebra, 'zebra', overlooks)).toBe(0.7);
    expect(confirmedScore(zebra, 'giraffe', overlooks)).toBe(0.37);
    // Unsure, or a species the detector did not put on the box: the detector's score stands.
    expect(
      confirmedScore({ ...zebra, opinion: new Map([['zebra', CONFIRM - 0.01]]) }, 'zebra', overlooks),
    ).toBe(0.35);
    expect(confirmedScore(zebra, 'dog', overlooks)).toBe(0);
    // Never against a horse: ImageNet calls grey and white horses ox.
    const horse = {
      scores: new Map([
        ['horse', 0.55],
        ['cow', 0.45],
      ]),
      opinion: new Map([['cow', 0.65]]),
    };
    expect(confirmedScore(horse, 'cow', overlooks)).toBe(0.45);
  });

  it('settles what the detector left open, never what it decided, never against a horse', () => {
    const opinion = (p: Record<string, number>) => ({ mean: new Map(Object.entries(p)), looks: 2 });
    const split = [
      { species: 'giraffe', share: 0.59 },
      { species: 'bird', share: 0.41 },
    ];
    expect(settledSpecies('animal', split, opinion({ bird: 0.83 }), 'animal', overlooks)).toBe('bird');
    expect(settledSpecies('animal', split, opinion({ bird: 0.5 }), 'animal', overlooks)).toBe('animal');
    expect(settledSpecies('animal', split, opinion({ dog: 0.9 }), 'animal', overlooks)).toBe('animal');
    expect(settledSpecies('giraffe', split, opinion({ bird: 0.9 }), 'animal', overlooks)).toBe('giraffe');
    const herd = [
      { species: 'cow', share: 0.55 },
      { species: 'horse', share: 0.45 },
    ];
    expect(settledSpecies('animal', herd, opinion({ cow: 0.7 }), 'animal', overlooks)).toBe('animal');
    expect(settledSpecies('animal', herd, undefined, 'animal', overlooks)).toBe('animal');
  });

  it('turns an eagle split between giraffe and bird into a bird, and finds a faint zebra', () => {
    const eagle = box(0.1, 0.1, 0.6, 0.7);
    const zebra = box(0.55, 0.4, 0.25, 0.45);
    const s = summarise(
      [
        frame(0, 'first', obj(eagle, { giraffe: 0.6, bird: 0.45 }, { bird: 0.8 })),
        frame(1, 'change', obj(eagle, { bird: 0.5, giraffe: 0.5 }, { bird: 0.85 })),
        frame(3, 'scene', obj(zebra, { giraffe: 0.37, zebra: 0.35 }, { zebra: 0.7 })),
      ],
      options,
    );
    expect(s.appearances.map((a) => [a.species, a.peakConfidence])).toEqual([
      ['bird', 0.85],
      ['zebra', 0.7],
    ]);
    expect(s.tracks[0]?.classifier).toEqual([{ species: 'bird', share: 0.825 }]);
    // Without the classifier's view the eagle stays open and the zebra is too faint.
    const alone = summarise(
      [
        frame(0, 'first', obj(eagle, { giraffe: 0.6, bird: 0.45 })),
        frame(1, 'change', obj(eagle, { bird: 0.5, giraffe: 0.5 })),
        frame(3, 'scene', obj(zebra, { giraffe: 0.37, zebra: 0.35 })),
      ],
      options,
    );
    expect(alone.appearances.map((a) => a.species)).toEqual(['animal']);
  });

  it('keeps faint animal boxes only where no surer object is', () => {
    const things = groupObjects([
      { label: 'person', score: 0.9, box: box(0.3, 0.2, 0.15, 0.7) },
      { label: 'giraffe', score: 0.77, box: box(0.3, 0.03, 0.59, 0.8) },
    ]);
    const faint = faintAnimals(
      [
        { label: 'dog', score: 0.25, box: box(0.31, 0.21, 0.14, 0.68) },
        { label: 'zebra', score: 0.27, box: box(0.53, 0.38, 0.28, 0.48) },
        { label: 'kite', score: 0.25, box: box(0.1, 0.1, 0.05, 0.05) },
      ],
      things,
      ALL,
    );
    expect(faint.map((f) => f.top)).toEqual(['zebra']);
  });
});

describe('the provisioned classifier on onnxruntime-node, on crops of darknet photos', () => {
  const MODEL = configSchema.parse({}).CLASSIFIER_MODEL_PATH;
  let classifier: OnnxClassifier;
  const photo = (file: string, width: number, height: number) => {
    const lb = letterbox(width, height, 512);
    const rgb = execFileSync(
      'ffmpeg',
      [
        '-loglevel',
        'error',
        '-i',
        `${DARKNET}/${file}`,
        '-vf',
        `scale=${lb.scaleWidth}:${lb.scaleHeight},pad=${lb.size}:${lb.size}:${lb.padX}:${lb.padY},format=rgb24`,
        '-f',
        'rawvideo',
        'pipe:1',
      ],
      { maxBuffer: 8 * 1024 * 1024 },
    );
    return { lb, rgb: new Uint8Array(rgb) };
  };
  const best = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];

  beforeAll(async () => {
    if (!existsSync(MODEL)) throw new Error(`${MODEL} is missing: run scripts/provision.sh`);
    classifier = await OnnxClassifier.load({ modelPath: MODEL, threads: 2 });
  });
  afterAll(() => classifier?.close());

  it('names the eagle, the zebra and the dog where NanoDet boxed them; no animal in a toy kite', async () => {
    const eagle = photo('eagle.jpg', 773, 512);
    const giraffe = photo('giraffe.jpg', 500, 500);
    const dog = photo('dog.jpg', 768, 576);
    const kite = photo('kite.jpg', 1352, 900);
    // Boxes NanoDet 512 gives these photos (normalised picture coordinates).
    const crops = [
      squareCrop(eagle.rgb, eagle.lb, box(0.13, 0.12, 0.62, 0.7), classifier.inputSize),
      squareCrop(giraffe.rgb, giraffe.lb, box(0.53, 0.38, 0.28, 0.48), classifier.inputSize),
      squareCrop(dog.rgb, dog.lb, box(0.15, 0.37, 0.24, 0.54), classifier.inputSize),
      squareCrop(kite.rgb, kite.lb, box(0.43, 0.08, 0.06, 0.08), classifier.inputSize),
    ];
    const [e, z, d, k] = await classifier.classify(crops);
    expect(best(e as Map<string, number>)[0]).toBe('bird');
    expect(best(e as Map<string, number>)[1]).toBeGreaterThanOrEqual(CONFIRM);
    expect(best(z as Map<string, number>)).toEqual(['zebra', expect.any(Number)]);
    expect(z?.get('zebra')).toBeGreaterThanOrEqual(CONFIRM);
    expect(best(d as Map<string, number>)[0]).toBe('dog');
    expect(best(k as Map<string, number>)[1]).toBeLessThan(0.2);
  });

  it('does not tell the white horse of person.jpg for a horse (why its word never counts against one)', async () => {
    const person = photo('person.jpg', 640, 424);
    const [h] = await classifier.classify([
      squareCrop(person.rgb, person.lb, box(0.61, 0.3, 0.31, 0.49), classifier.inputSize),
    ]);
    expect(h?.get('horse') ?? 0).toBeLessThan(CONFIRM);
  });
});

describe('the analysis with a second stage', () => {
  it('crops from its own copy of the frame, whose pixels the detector may take away', async () => {
    // Frames come from ffmpeg as Node Buffers, and the worker detector transfers their memory:
    // a crop must not read the moved (detached) pixels.
    const size = 64;
    const lb = letterbox(64, 64, size);
    const frames = (async function* () {
      for (let k = 0; k < 2; k++) {
        const data = Buffer.alloc(size * size * 3, 200);
        yield { index: k, timeSec: k * 2, data };
      }
    })();
    const detector: Detector = {
      info: { name: 'fake', inputSize: size, labels: COCO_LABELS, animals: ['dog'] },
      async detect(rgb) {
        structuredClone(rgb.buffer, { transfer: [rgb.buffer as ArrayBuffer] });
        // A dog the detector is not sure of (a sure one, alone on its box, needs no second look).
        return [{ classId: COCO_LABELS.indexOf('dog'), score: 0.5, x1: 8, y1: 8, x2: 56, y2: 56 }];
      },
    };
    const seen: number[] = [];
    const classifier: SpeciesClassifier = {
      info: { name: 'fake', inputSize: 8, species: ['dog'], overlooks: [] },
      async classify(crops) {
        for (const c of crops) seen.push(Math.max(...c));
        return crops.map(() => new Map([['dog', 0.9]]));
      },
    };
    const a = await analyzeFrames(frames, detector, {
      policy: { ...DEFAULT_POLICY, mode: 'fixed', fps: 0.5, decodeFps: 0.5 },
      letterbox: lb,
      minConfidence: 0.45,
      species: new Set(['dog']),
      durationSec: 4,
      gapToleranceSec: 1.5,
      iouThreshold: 0.5,
      classifier,
    });
    expect(seen).toEqual([200, 200]);
    expect(a.stats.cropsClassified).toBe(2);
    expect(a.appearances.map((x) => [x.species, x.peakConfidence])).toEqual([['dog', 0.9]]);
  });
});

describe('reading PyTorch state dicts without PyTorch', () => {
  it('refuses a zip-format file and a file that is no PyTorch file', () => {
    expect(() => readLegacyStateDict(Buffer.from('PK\u0003\u0004 rest of a zip'))).toThrow(/zip-format/);
    expect(() => readLegacyStateDict(Buffer.from([0x80, 0x02, 0x4b, 0x07, 0x2e]))).toThrow(
      /not a legacy PyTorch file/,
    );
    expect(() =>
      readLegacyStateDict(
        Buffer.from([0x80, 0x02, 0x63, 0x6f, 0x73, 0x0a, 0x73, 0x79, 0x73, 0x74, 0x65, 0x6d, 0x0a]),
      ),
    ).toThrow(/refusing unknown global os.system/);
  });
});
