import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Daprd, type Stack, startStack } from '@vidp/local-stack';
import { runFfmpeg } from '@vidp/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnimalsResult } from '../../apps/animal-detect/src/detect-animals.js';
import { type Evaluation, evaluateAppearances } from '../../apps/animal-detect/src/domain/evaluation.js';
import { iou } from '../../apps/animal-detect/src/domain/geometry.js';
import { COCO_ANIMALS } from '../../apps/animal-detect/src/domain/labels.js';
import {
  cachedVideo,
  darknetAvailable,
  EVALUATION,
  labelledSegments,
  SIZE_360P,
  SIZE_720P,
} from '../support/animal-videos.js';
import { filesLeft } from '../support/fs.js';

// The evaluation video (tests/support/animal-videos.ts): every darknet photo with an animal
// and the kites, each still, panned and zoomed, 19 shots cut one from the next, plus a
// painting: 57 s, made at 360p (sent through Dapr) and 720p (sent to the app directly).
//
// Measured with NanoDet at 512 x 512 and the second stage (EfficientNet-Lite0 on crops of each
// animal; species decided over time, default options): species-level appearances precision
// 0.94 at 360p (one cow where the white horse grazes) and 1.00 at 720p, recall 0.80 at both;
// "animal" as a class 1.00 / 1.00. What is still missed is the detector's horse/cow
// confusion, reported as "animal" (the classifier cannot tell these horses either), and at
// 720p the zebra of the giraffe pan, seen in one look only. NanoDet alone scored recall 0.55
// and 0.60 here.
const MIN_SPECIES_PRECISION = 0.9;
const MIN_SPECIES_RECALL = 0.8;
const MIN_ANIMAL_PRECISION = 0.9;
const MIN_ANIMAL_RECALL = 0.9;

// Where the person stands in person.jpg (640 x 424), as a share of the photo; in the still
// shot the photo is letterboxed into the frame, so the box maps straight onto the video.
const PERSON_IN_PHOTO = { x: 0.29, y: 0.13, w: 0.15, h: 0.79 };

const MAX_VIDEO_SECONDS = 60;
const MAX_DECODED_FRAMES = 500;
const run = promisify(execFile);

interface Answer {
  status: number;
  result?: AnimalsResult;
  parts: Map<string, { type: string; bytes: Buffer; filename: string }>;
  problem?: { status: number; title: string; detail: string; [k: string]: unknown };
}

async function read(res: Response): Promise<Answer> {
  const type = res.headers.get('content-type') ?? '';
  const parts = new Map<string, { type: string; bytes: Buffer; filename: string }>();
  if (!type.startsWith('multipart/form-data')) {
    return {
      status: res.status,
      parts,
      problem: (type.includes('json') ? await res.json() : { detail: await res.text() }) as Answer['problem'],
    };
  }
  const form = await res.formData();
  let result: AnimalsResult | undefined;
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      if (name === 'result') result = JSON.parse(value) as AnimalsResult;
    } else {
      parts.set(name, {
        type: value.type,
        filename: value.name,
        bytes: Buffer.from(await value.arrayBuffer()),
      });
    }
  }
  return { status: res.status, parts, ...(result ? { result } : {}) };
}

async function form(file: string, fields: Record<string, string> = {}): Promise<FormData> {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  body.append('file', new Blob([await readFile(file)]), file.split('/').pop());
  return body;
}

describe('animal-detect with its sidecar, on real photos turned into videos', () => {
  let stack: Stack;
  let starting: Promise<Stack> | undefined;
  let client: Daprd;
  let dir: string;
  let appUrl: string;
  const videos = { eval360: '', eval720: '' };
  const video = (name: string) =>
    name === 'eval-360.mp4' ? videos.eval360 : name === 'eval-720.mp4' ? videos.eval720 : join(dir, name);

  beforeAll(async () => {
    if (!darknetAvailable())
      throw new Error('Debian darknet sample images are missing: run scripts/provision.sh');
    dir = await mkdtemp(join(tmpdir(), 'vidp-animals-'));
    // Kept as soon as it starts, so afterAll stops it even if this hook runs out of time.
    starting = startStack({
      apps: [
        {
          app: 'animal-detect',
          appId: 'animal-detect',
          env: {
            MAX_VIDEO_SECONDS: String(MAX_VIDEO_SECONDS),
            MAX_DECODED_FRAMES: String(MAX_DECODED_FRAMES),
          },
        },
      ],
    });
    const [started] = await Promise.all([
      starting,
      (async () => {
        // Rendered once per machine (cached outside git, see cachedVideo).
        videos.eval360 = await cachedVideo(EVALUATION, SIZE_360P);
        videos.eval720 = await cachedVideo(EVALUATION, SIZE_720P);
        // Six seconds of it (the giraffe zoom and the eagle pan) for the tests that need less.
        await runFfmpeg([
          '-ss',
          '9',
          '-t',
          '6',
          '-i',
          videos.eval360,
          '-c',
          'copy',
          '-y',
          video('short.mp4'),
        ]);
        // Audio only; a file that only pretends to be a video; a video over the duration limit.
        await runFfmpeg([
          '-f',
          'lavfi',
          '-i',
          'sine=frequency=440:duration=2',
          '-c:a',
          'aac',
          '-y',
          video('tone.m4a'),
        ]);
        const real = await readFile(video('eval-360.mp4'));
        await writeFile(
          video('corrupt.mp4'),
          Buffer.concat([real.subarray(0, 64), Buffer.alloc(4096, 0x5a)]),
        );
        await writeFile(video('notes.mp4'), 'not a video at all\n');
        await runFfmpeg([
          '-f',
          'lavfi',
          '-i',
          'color=c=gray:s=64x64:r=2:d=65',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-y',
          video('long.mp4'),
        ]);
      })(),
    ]);
    stack = started;
    client = await stack.startSidecar('client');
    appUrl = stack.get('animal-detect').app.url;
    // A cold cache renders two minutes of video: give it room on a busy machine.
  }, 600_000);
  afterAll(async () => {
    await (stack ?? (await starting?.catch(() => undefined)))?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const upload = async (file: string, fields: Record<string, string> = {}) =>
    read(await fetch(`${appUrl}/api/animals/upload`, { method: 'POST', body: await form(file, fields) }));

  let smart: AnimalsResult;
  const truth = labelledSegments(EVALUATION);
  const seenIn = (r: AnimalsResult, start: number, end: number) =>
    r.appearances.flatMap((a) =>
      a.ranges.some((x) => Math.min(end, x.endSec) - Math.max(start, x.startSec) > 0.3) ? [a.species] : [],
    );
  const report = (what: string, r: AnimalsResult, e: Evaluation) => {
    console.log(
      `${what}: species-level precision ${e.species.precision.toFixed(2)} recall ${e.species.recall.toFixed(2)} ` +
        `(TP ${e.species.truePositives}; FP ${e.species.unexpected.join(' ') || '-'}; FN ${e.species.missed.join(' ') || '-'}); ` +
        `"animal" as a class precision ${e.animal.precision.toFixed(2)} recall ${e.animal.recall.toFixed(2)}; ` +
        `hedged: ${e.hedged.join('; ') || '-'}; detector runs ${r.sampling.framesInferred} of ${r.sampling.framesDecoded} decoded, ` +
        `${r.sampling.cropsClassified} crops classified`,
    );
  };

  /** What every answer on the evaluation video must show, whatever its size. */
  const checkEvaluation = (what: string, r: AnimalsResult, parts: Answer['parts']) => {
    const e = evaluateAppearances(r.appearances, truth);
    report(what, r, e);
    // The second stage looked at the animals, and each track says what it thought.
    expect(r.model.classifier).toBe('efficientnet-lite0-imagenet.onnx');
    expect(r.sampling.cropsClassified).toBeGreaterThan(0);
    expect(r.tracks.some((t) => (t.classifier?.length ?? 0) > 0)).toBe(true);
    // Only animals (or "animal"): the people on the beach and beside the horse are none.
    for (const a of r.appearances) expect(['animal', ...COCO_ANIMALS]).toContain(a.species);
    // No animal at all in the kites nor in the painting.
    truth.forEach((seg, k) => {
      if (seg.species.length === 0)
        expect(seenIn(r, seg.startSec, seg.endSec), `${EVALUATION[k]?.image} at ${seg.startSec} s`).toEqual(
          [],
        );
    });
    // The person in the still of person.jpg is never an animal's box.
    const still = truth.find(
      (_, k) => EVALUATION[k]?.image === 'person.jpg' && EVALUATION[k]?.motion === 'still',
    );
    const frameW = r.video.width;
    const frameH = r.video.height;
    const scale = Math.min(frameW / 640, frameH / 424);
    const person = {
      x: ((frameW - 640 * scale) / 2 + PERSON_IN_PHOTO.x * 640 * scale) / frameW,
      y: ((frameH - 424 * scale) / 2 + PERSON_IN_PHOTO.y * 424 * scale) / frameH,
      w: (PERSON_IN_PHOTO.w * 640 * scale) / frameW,
      h: (PERSON_IN_PHOTO.h * 424 * scale) / frameH,
    };
    const inStill = r.frames.filter((f) => still && f.timeSec >= still.startSec && f.timeSec < still.endSec);
    expect(inStill.length).toBeGreaterThan(0);
    for (const f of inStill) for (const d of f.detections) expect(iou(d.box, person)).toBeLessThan(0.3);
    // An "animal" says what it might be.
    for (const a of r.appearances.filter((x) => x.species === 'animal')) {
      expect(a.candidates?.length).toBeGreaterThanOrEqual(2);
      for (const range of a.ranges) expect(range.candidates?.length).toBeGreaterThanOrEqual(1);
    }
    // Every track is reported under one appearance; every detection names its track.
    expect(r.appearances.flatMap((a) => a.tracks).sort((x, y) => x - y)).toEqual(r.tracks.map((t) => t.id));
    for (const f of r.frames)
      for (const d of f.detections) expect(r.tracks.map((t) => t.id)).toContain(d.track);
    // One JPEG per appearance, the part the result names; the best frame shows the animal
    // large (at least half the largest box the appearance had) and sharp.
    for (const a of r.appearances) {
      const part = parts.get(a.bestFrame.part);
      expect(part, a.bestFrame.part).toBeDefined();
      expect(part?.type).toBe('image/jpeg');
      expect(part?.bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      const boxes = r.frames.flatMap((f) => f.detections.filter((d) => a.tracks.includes(d.track ?? -1)));
      const largest = Math.max(...boxes.map((d) => d.box.w * d.box.h));
      expect(a.bestFrame.box.w * a.bestFrame.box.h, a.species).toBeGreaterThanOrEqual(0.5 * largest);
      expect(a.bestFrame.sharpness).toBeGreaterThan(0.01);
    }
    expect(parts.size).toBe(r.appearances.length);
    // Smart sampling: far fewer detector runs than decoded frames; every cut found, and a pan is no cut.
    expect(r.sampling.framesDecoded).toBeGreaterThanOrEqual(225);
    expect(r.sampling.framesInferred).toBeLessThan(r.sampling.framesDecoded / 3);
    expect(r.sampling.sceneChanges).toBeGreaterThanOrEqual(truth.length - 1);
    expect(r.sampling.sceneChanges).toBeLessThanOrEqual(truth.length + 2);
    expect(r.frames.length).toBe(r.sampling.framesInferred);
    expect(e.species.precision).toBeGreaterThanOrEqual(MIN_SPECIES_PRECISION);
    expect(e.species.recall).toBeGreaterThanOrEqual(MIN_SPECIES_RECALL);
    expect(e.animal.precision).toBeGreaterThanOrEqual(MIN_ANIMAL_PRECISION);
    expect(e.animal.recall).toBeGreaterThanOrEqual(MIN_ANIMAL_RECALL);
    return e;
  };

  it('finds the animals of the 360p evaluation video through Dapr: species or "animal", never a person', async () => {
    const res = await fetch(
      `http://127.0.0.1:${client.httpPort}/v1.0/invoke/animal-detect/method/api/animals/upload`,
      {
        method: 'POST',
        body: await form(video('eval-360.mp4')),
        // main-app's headers: with them the service reports progress on pub/sub.
        headers: { 'x-vidp-video-id': 'video-42', 'x-vidp-task-id': 'task-7' },
      },
    );
    const answer = await read(res);
    expect(answer.status, JSON.stringify(answer.problem)).toBe(200);
    const result = answer.result as AnimalsResult;
    smart = result;
    console.log(
      'appearances (360p):',
      result.appearances.map(
        (a) =>
          `${a.species} ${a.ranges.map((r) => `${r.startSec}-${r.endSec}s`).join(',')} (peak ${a.peakConfidence})`,
      ),
    );
    checkEvaluation('360p', result, answer.parts);
    expect(await filesLeft(join(stack.dir, 'tmp'))).toEqual([]);

    // Progress events went through the sidecar to the pub/sub stream, ending at 1.
    const progress = async () =>
      (
        await run('redis-cli', [
          '-p',
          String(stack.redis.port),
          '--no-raw',
          'XRANGE',
          'task.progress',
          '-',
          '+',
        ])
      ).stdout;
    const deadline = Date.now() + 10_000;
    while (!(await progress()).includes('\\"progress\\":1') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const events = await progress();
    expect(events).toContain('\\"videoId\\":\\"video-42\\"');
    expect(events).toContain('\\"task\\":\\"animal-detect\\"');
    expect(events).toContain('\\"progress\\":1');
  }, 300_000);

  it('finds them in the 720p evaluation video as well', async () => {
    const answer = await upload(video('eval-720.mp4'));
    expect(answer.status, JSON.stringify(answer.problem)).toBe(200);
    const result = answer.result as AnimalsResult;
    expect(result.video).toMatchObject({ width: 1280, height: 720 });
    checkEvaluation('720p', result, answer.parts);
  }, 300_000);

  it('smart sampling needs at most a third of the runs of a fixed 2 fps, losing no appearance', async () => {
    const fixed = (await upload(video('eval-360.mp4'), { mode: 'fixed', fps: '2' })).result as AnimalsResult;
    const found = (r: AnimalsResult) => {
      const e = evaluateAppearances(r.appearances, truth);
      const animals = truth
        .filter((seg) => seg.species.length > 0)
        .map((seg) => `animal@${seg.startSec}-${seg.endSec}s`);
      return {
        animals: animals.filter((x) => !e.animal.missed.includes(x)),
        species: truth
          .flatMap((seg) => seg.species.map((sp) => `${sp}@${seg.startSec}-${seg.endSec}s`))
          .filter((x) => !e.species.missed.includes(x)),
      };
    };
    report('fixed 2 fps, 360p', fixed, evaluateAppearances(fixed.appearances, truth));
    console.log(
      `detector runs: smart ${smart.sampling.framesInferred}, fixed 2 fps ${fixed.sampling.framesInferred} ` +
        `(ratio ${(smart.sampling.framesInferred / fixed.sampling.framesInferred).toFixed(2)})`,
    );
    expect(fixed.sampling.framesInferred).toBe(fixed.sampling.framesDecoded);
    expect(smart.sampling.framesInferred * 3).toBeLessThanOrEqual(fixed.sampling.framesInferred);
    // Every animal the fixed rate saw, smart sampling saw too (named, or as "animal").
    for (const hit of found(fixed).animals) expect(found(smart).animals, `smart lost ${hit}`).toContain(hit);
    // 114 inferences and their crops: about 2 min at a load average of 14, far more under heavier load.
  }, 600_000);

  it('reports only the species asked for', async () => {
    const { status, result, parts } = await upload(video('short.mp4'), { species: 'giraffe,zebra' });
    expect(status).toBe(200);
    expect(result?.appearances.map((a) => a.species)).toContain('giraffe');
    // A giraffe or a zebra, or an "animal" that might be one.
    const asked = (species: string, candidates?: { species: string }[]) =>
      ['giraffe', 'zebra'].includes(species) ||
      (species === 'animal' && (candidates ?? []).some((c) => ['giraffe', 'zebra'].includes(c.species)));
    for (const a of result?.appearances ?? []) expect(asked(a.species, a.candidates), a.species).toBe(true);
    for (const t of result?.tracks ?? []) expect(asked(t.species, t.candidates), t.species).toBe(true);
    expect(
      result?.frames.flatMap((f) => f.detections).every((d) => result.tracks.some((t) => t.id === d.track)),
    ).toBe(true);
    expect(parts.has('frame-giraffe')).toBe(true);
  });

  it.each([
    ['an audio-only file', 'tone.m4a', {}, 422, /no video stream/],
    [
      'a corrupt MP4',
      'corrupt.mp4',
      {},
      422,
      /neither a video nor an audio stream|Not a readable media file|could not be decoded/,
    ],
    ['a text file named .mp4', 'notes.mp4', {}, 422, /Not a readable media file|not accepted/],
    ['a video over the duration limit', 'long.mp4', {}, 422, /at most 60 s/],
    [
      'a request over the frame limit',
      'eval-360.mp4',
      { mode: 'fixed', fps: '10' },
      422,
      /would decode 570 frames; the limit is 500/,
    ],
    ['an absurd rate', 'eval-360.mp4', { fps: '1000' }, 400, /fps must be between/],
    [
      'an unknown species',
      'eval-360.mp4',
      { species: 'unicorn' },
      400,
      /Unknown species: unicorn\. This service recognises: bird, cat, dog, horse/,
    ],
    ['an unknown option', 'eval-360.mp4', { sampling: 'all' }, 400, /unknown option/],
  ])('answers %s with a clear problem', async (_what, file, fields, status, detail) => {
    const answer = await upload(video(file), fields as Record<string, string>);
    expect(answer.status).toBe(status);
    expect(answer.problem?.detail).toMatch(detail);
  });

  it('answers 400 when the upload has no file', async () => {
    const body = new FormData();
    body.append('mode', 'smart');
    const res = await fetch(`${appUrl}/api/animals/upload`, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toMatch(/field named "file"/);
  });

  it('stops ffmpeg and cleans up when the caller goes away, and keeps serving', async () => {
    const ac = new AbortController();
    const pending = fetch(`${appUrl}/api/animals/upload`, {
      method: 'POST',
      body: await form(video('eval-360.mp4'), { mode: 'fixed', fps: '8' }),
      signal: ac.signal,
    }).catch(() => undefined);
    const appPid = stack.get('animal-detect').app.process.pid;
    // Wait until ffmpeg decodes for this request, then hang up.
    const ffmpegChildren = async () => {
      const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
      const found: string[] = [];
      for (const p of pids) {
        const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
        const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
        if (m && m[1] === 'ffmpeg' && Number(m[2]) === appPid) found.push(p);
      }
      return found;
    };
    const deadline = Date.now() + 20_000;
    while ((await ffmpegChildren()).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await ffmpegChildren()).not.toEqual([]);
    ac.abort();
    await pending;
    const gone = Date.now() + 10_000;
    while (
      ((await ffmpegChildren()).length > 0 || (await filesLeft(join(stack.dir, 'tmp'))).length > 0) &&
      Date.now() < gone
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await ffmpegChildren()).toEqual([]);
    expect(await filesLeft(join(stack.dir, 'tmp'))).toEqual([]);
    const ready = await fetch(`${appUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.detector).toBe('ok');
    const again = await upload(video('short.mp4'), { species: 'bird' });
    expect(again.status).toBe(200);
  });

  it('lists the animals it can recognise', async () => {
    const res = await fetch(`${appUrl}/api/animals/species`);
    expect(((await res.json()) as { species: string[] }).species).toEqual([...COCO_ANIMALS]);
  });
});
