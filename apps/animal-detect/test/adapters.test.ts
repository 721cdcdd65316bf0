import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeNanoDet } from '../src/adapters/nanodet-decoder.js';
import { OnnxDetector } from '../src/adapters/onnx-detector.js';
import { decodeYolo } from '../src/adapters/yolo-decoder.js';
import { configSchema, modelClasses } from '../src/config.js';
import { letterbox, unletterbox } from '../src/domain/geometry.js';
import { COCO_ANIMALS, COCO_LABELS } from '../src/domain/labels.js';
import { classwiseNms } from '../src/domain/nms.js';
import { parseOptions } from '../src/routes/options.js';

describe('request options', () => {
  const animals = [...COCO_ANIMALS];

  it('defaults to smart sampling over every animal', () => {
    const o = parseOptions({}, animals);
    expect(o.policy.mode).toBe('smart');
    expect(o.policy.fps).toBe(0.5);
    expect(o.species).toEqual(animals);
    expect(o.minConfidence).toBe(0.45);
  });

  it('takes a fixed rate and a species subset', () => {
    const o = parseOptions({ mode: 'fixed', fps: '2', species: 'Dog, bird', minConfidence: '0.3' }, animals);
    expect(o.policy).toMatchObject({ mode: 'fixed', fps: 2 });
    expect(o.species).toEqual(['dog', 'bird']);
    expect(o.minConfidence).toBe(0.3);
  });

  it.each([
    [{ fps: '1000' }, /fps must be between 0.05 and 10/],
    [{ fps: 'fast' }, /fps must be/],
    [{ minConfidence: '-1' }, /minConfidence must be between/],
    [{ mode: 'turbo' }, /mode must be "smart" or "fixed"/],
    [{ colour: 'red' }, /unknown option\(s\): colour/],
    [{ species: 'unicorn,dog' }, /Unknown species: unicorn\. This service recognises: bird, cat, dog/],
    [{ gapTolerance: '1e9' }, /gapTolerance must be between/],
  ])('refuses %j with a 400 that says why', (fields, message) => {
    let err: unknown;
    try {
      parseOptions(fields as Record<string, string>, animals);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ status: 400 });
    expect((err as Error).message).toMatch(message);
  });
});

describe('configuration', () => {
  it('defaults to the COCO animals, and an operator model brings its own classes', () => {
    const base = { DETECTOR_MODEL_PATH: '/models/x.onnx' };
    expect(modelClasses(configSchema.parse(base)).animals).toEqual([...COCO_ANIMALS]);
    const wildlife = configSchema.parse({
      ...base,
      DETECTOR_LABELS: 'animal,person,vehicle',
      DETECTOR_ANIMALS: 'animal',
    });
    expect(modelClasses(wildlife)).toEqual({
      labels: ['animal', 'person', 'vehicle'],
      animals: ['animal'],
      closeSpecies: [],
    });
    expect(modelClasses(configSchema.parse(base)).closeSpecies).toContainEqual([
      'horse',
      'cow',
      'sheep',
      'zebra',
    ]);
    expect(() => modelClasses(configSchema.parse({ ...base, DETECTOR_ANIMALS: 'dragon' }))).toThrow(/dragon/);
  });
});

describe('NanoDet box decoding', () => {
  it('reads the distance distributions as expectations in stride units from the cell corner', () => {
    const bins = 11;
    // A 2 x 2 grid at stride 8 (input 16), 2 classes; only cell 3 (x=1, y=1) scores class 1.
    const scores = new Float32Array(4 * 2);
    scores[3 * 2 + 1] = 0.9;
    const distances = new Float32Array(4 * 4 * bins).fill(-20);
    for (let side = 0; side < 4; side++) distances[(3 * 4 + side) * bins + 1] = 20; // 1 bin = 8 px
    const out = decodeNanoDet([{ stride: 8, scores, distances }], 16, 2, 0.5);
    expect(out).toHaveLength(1);
    const d = out[0];
    expect(d?.classId).toBe(1);
    expect(d?.score).toBeCloseTo(0.9);
    expect(d?.x1).toBeCloseTo(0);
    expect(d?.y1).toBeCloseTo(0);
    expect(d?.x2).toBeCloseTo(16);
    expect(d?.y2).toBeCloseTo(16);
  });
});

describe('YOLOv8-style box decoding (operator models)', () => {
  it('reads centre, size and per-class scores laid out class-major over anchors', () => {
    // 3 anchors, 2 classes: rows cx, cy, w, h, score0, score1.
    const out = new Float32Array([
      ...[100, 200, 300],
      ...[100, 200, 300],
      ...[40, 40, 40],
      ...[20, 20, 20],
      ...[0.9, 0.1, 0.2],
      ...[0.1, 0.8, 0.3],
    ]);
    const d = decodeYolo(out, 2, 0.5, 416);
    expect(d).toEqual([
      { classId: 0, score: expect.closeTo(0.9), x1: 80, y1: 90, x2: 120, y2: 110 },
      { classId: 1, score: expect.closeTo(0.8), x1: 180, y1: 190, x2: 220, y2: 210 },
    ]);
    expect(() => decodeYolo(new Float32Array(7), 2, 0.5, 416)).toThrow(/does not fit/);
  });
});

const MODEL = configSchema.parse({}).DETECTOR_MODEL_PATH;
const DOG = '/usr/share/darknet/data/dog.jpg';

describe('the provisioned NanoDet model on onnxruntime-node', () => {
  let detector: OnnxDetector;

  beforeAll(async () => {
    if (!existsSync(MODEL)) throw new Error(`${MODEL} is missing: run scripts/provision.sh`);
    if (!existsSync(DOG)) throw new Error(`${DOG} is missing: run scripts/provision.sh (Debian darknet)`);
    detector = await OnnxDetector.load({ modelPath: MODEL, format: 'nanodet', numClasses: 80, threads: 2 });
  });

  it('finds the dog in darknet dog.jpg where it is (lower left)', async () => {
    // dog.jpg is 768 x 576; ffmpeg letterboxes it into the 416 x 416 input.
    const lb = letterbox(768, 576, detector.inputSize);
    const rgb = execFileSync(
      'ffmpeg',
      [
        '-loglevel',
        'error',
        '-i',
        DOG,
        '-vf',
        `scale=${lb.scaleWidth}:${lb.scaleHeight},pad=${lb.size}:${lb.size}:${lb.padX}:${lb.padY},format=rgb24`,
        '-f',
        'rawvideo',
        'pipe:1',
      ],
      { maxBuffer: 8 * 1024 * 1024 },
    );
    const raw = await detector.detect(new Uint8Array(rgb), 0.3);
    const kept = classwiseNms(
      raw.map((d) => ({ classId: d.classId, score: d.score, box: unletterbox(lb, d.x1, d.y1, d.x2, d.y2) })),
    );
    const dog = kept.find((k) => COCO_LABELS[k.classId] === 'dog');
    expect(dog, JSON.stringify(kept.map((k) => COCO_LABELS[k.classId]))).toBeDefined();
    // The dog sits in the lower-left part of the photo.
    expect(dog?.box.x).toBeLessThan(0.3);
    expect(dog?.box.y).toBeGreaterThan(0.25);
    expect((dog?.box.x ?? 0) + (dog?.box.w ?? 0)).toBeLessThan(0.6);
    // And no animal label lands on the bicycle or the truck.
    const animals = kept.filter((k) =>
      COCO_ANIMALS.includes(COCO_LABELS[k.classId] as (typeof COCO_ANIMALS)[number]),
    );
    expect(animals.every((a) => a.box.x < 0.5)).toBe(true);
    await detector.close();
  });
});
