// bench/animals: on one 60 s video made from the darknet sample photos (stills, pans, cuts,
// stretches without animals), in one run:
//  - inference speed of the detector alone (frames per second, all cores);
//  - smart sampling vs a fixed 2 fps baseline through the built app: detector runs, wall
//    time, and whether smart sampling lost any appearance the baseline found.
// Target: smart sampling needs <= 1/3 of the baseline's detector runs, losing no appearance.
//   npm run bench:animals            (BENCH_RUNS=3 by default: median wall time)
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startApp } from '@vidp/local-stack';
import { OnnxDetector } from '../../apps/animal-detect/src/adapters/onnx-detector.js';
import { configSchema } from '../../apps/animal-detect/src/config.js';
import type { AnimalsResult } from '../../apps/animal-detect/src/detect-animals.js';
import { scoreAppearances } from '../../apps/animal-detect/src/domain/evaluation.js';
import { letterbox } from '../../apps/animal-detect/src/domain/geometry.js';
import {
  DARKNET_IMAGES,
  labelledSegments,
  renderVideo,
  type Segment,
  SIXTY_SECONDS,
} from '../../tests/support/animal-videos.js';
import { median, printTable } from '../lib/report.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const INFERENCE_FRAMES = 30;

const VIDEO: Segment[] = SIXTY_SECONDS;

const dir = await mkdtemp(join(tmpdir(), 'vidp-bench-animals-'));
const videoPath = join(dir, 'bench.mp4');
await renderVideo(VIDEO, videoPath);
const truth = labelledSegments(VIDEO);

// 1. The detector alone: letterboxed frames straight into onnxruntime, as the worker runs them.
const modelPath = configSchema.parse({}).DETECTOR_MODEL_PATH;
const detector = await OnnxDetector.load({ modelPath, format: 'nanodet', numClasses: 80 });
const lb = letterbox(768, 576, detector.inputSize);
const frame = execFileSync(
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
await detector.detect(new Uint8Array(frame), 0.45); // warm-up
const batches: number[] = [];
const inferenceBatch = async () => {
  const t0 = performance.now();
  for (let k = 0; k < INFERENCE_FRAMES; k++) await detector.detect(new Uint8Array(frame), 0.45);
  batches.push(INFERENCE_FRAMES / ((performance.now() - t0) / 1000));
};

// 2. Smart vs fixed 2 fps through the built app (one process, model in its worker thread),
//    alternating with batches of the detector alone.
const port = await freePort();
const app = startApp({ app: 'animal-detect', port, daprHttpPort: await freePort(), env: { TMP_DIR: dir } });
try {
  await app.alive(60_000);
  const analyse = async (fields: Record<string, string>) => {
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
  const times = { smart: [] as number[], fixed: [] as number[] };
  let smart: AnimalsResult | undefined;
  let fixed: AnimalsResult | undefined;
  for (let r = 0; r < runs; r++) {
    const s = await analyse({});
    const f = await analyse({ mode: 'fixed', fps: '2' });
    // The detector alone, between the app's runs (never at the same time).
    await inferenceBatch();
    times.smart.push(s.seconds);
    times.fixed.push(f.seconds);
    smart = s.result;
    fixed = f.result;
  }
  if (!smart || !fixed) throw new Error('no run');
  const inferenceFps = median(batches);

  const hits = (r: AnimalsResult) => {
    const score = scoreAppearances(r.appearances, truth);
    const expected = truth.flatMap((seg) => seg.species.map((sp) => `${sp}@${seg.startSec}-${seg.endSec}s`));
    return { score, found: expected.filter((x) => !score.missed.includes(x)) };
  };
  const smartHits = hits(smart);
  const fixedHits = hits(fixed);
  const lost = fixedHits.found.filter((x) => !smartHits.found.includes(x));

  console.log(
    `\nanimal-detect on ${availableParallelism()} cores, ${runs} run(s), 60 s video ${VIDEO.length} shots`,
  );
  console.log(
    `detector alone: ${inferenceFps.toFixed(1)} frames/s (${(1000 / inferenceFps).toFixed(1)} ms a frame, 416 x 416, ` +
      `median of ${runs} x ${INFERENCE_FRAMES} frames)`,
  );
  printTable('smart sampling vs fixed 2 fps', [
    {
      sampling: 'smart',
      'frames decoded': smart.sampling.framesDecoded,
      'detector runs': smart.sampling.framesInferred,
      'wall s (median)': median(times.smart).toFixed(2),
      precision: smartHits.score.precision.toFixed(2),
      recall: smartHits.score.recall.toFixed(2),
    },
    {
      sampling: 'fixed 2 fps',
      'frames decoded': fixed.sampling.framesDecoded,
      'detector runs': fixed.sampling.framesInferred,
      'wall s (median)': median(times.fixed).toFixed(2),
      precision: fixedHits.score.precision.toFixed(2),
      recall: fixedHits.score.recall.toFixed(2),
    },
  ]);
  const runRatio = smart.sampling.framesInferred / fixed.sampling.framesInferred;
  const timeRatio = median(times.smart) / median(times.fixed);
  console.log(`detector runs, smart / fixed: ${runRatio.toFixed(2)} (target <= 0.33)`);
  console.log(`wall time, smart / fixed: ${timeRatio.toFixed(2)}`);
  console.log(`appearances lost by smart sampling: ${lost.length ? lost.join(', ') : 'none'}`);
  console.log(`target met: ${runRatio <= 1 / 3 && lost.length === 0 ? 'yes' : 'NO'}`);
} finally {
  await detector.close();
  await app.process.stop();
  await rm(dir, { recursive: true, force: true });
}
