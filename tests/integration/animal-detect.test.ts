import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Daprd, type Stack, startStack } from '@vidp/local-stack';
import { runFfmpeg } from '@vidp/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnimalsResult } from '../../apps/animal-detect/src/detect-animals.js';
import { scoreAppearances } from '../../apps/animal-detect/src/domain/evaluation.js';
import { COCO_ANIMALS } from '../../apps/animal-detect/src/domain/labels.js';
import { darknetAvailable, labelledSegments, renderVideo, type Segment } from '../support/animal-videos.js';
import { filesLeft } from '../support/fs.js';

// Stills, pans, cuts, stretches with no animal (kites and people; a painting), a person
// with a dog and a horse. 30 s at 480 x 360, 10 fps: small and quick to analyse.
const SAFARI: Segment[] = [
  { image: 'dog.jpg', seconds: 4, motion: 'still', animals: ['dog'] },
  { image: 'kite.jpg', seconds: 4, motion: 'still', animals: [] },
  { image: 'horses.jpg', seconds: 6, motion: 'pan', animals: ['horse'] },
  { image: 'giraffe.jpg', seconds: 5, motion: 'pan', animals: ['giraffe', 'zebra'] },
  { image: 'eagle.jpg', seconds: 4, motion: 'still', animals: ['bird'] },
  { image: 'person.jpg', seconds: 4, motion: 'still', animals: ['dog', 'horse'] },
  { image: 'scream.jpg', seconds: 3, motion: 'still', animals: [] },
];

// What NanoDet (COCO, 416 px) reaches on SAFARI at the default minimum confidence (0.45),
// measured: precision 0.71 (5 of 7) and recall 0.71 (5 of 7). It calls some horses cows, and
// misses the small zebra and the horse behind the person (which it calls a cow).
const MIN_PRECISION = 0.7;
const MIN_RECALL = 0.7;

const MAX_VIDEO_SECONDS = 40;
const MAX_DECODED_FRAMES = 250;
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
  let client: Daprd;
  let dir: string;
  let appUrl: string;
  const video = (name: string) => join(dir, name);

  beforeAll(async () => {
    if (!darknetAvailable())
      throw new Error('Debian darknet sample images are missing: run scripts/provision.sh');
    dir = await mkdtemp(join(tmpdir(), 'vidp-animals-'));
    const [started] = await Promise.all([
      startStack({
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
      }),
      (async () => {
        await renderVideo(SAFARI, video('safari.mp4'));
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
        const real = await readFile(video('safari.mp4'));
        await writeFile(
          video('corrupt.mp4'),
          Buffer.concat([real.subarray(0, 64), Buffer.alloc(4096, 0x5a)]),
        );
        await writeFile(video('notes.mp4'), 'not a video at all\n');
        await runFfmpeg([
          '-f',
          'lavfi',
          '-i',
          'color=c=gray:s=64x64:r=2:d=45',
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
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const upload = async (file: string, fields: Record<string, string> = {}) =>
    read(await fetch(`${appUrl}/api/animals/upload`, { method: 'POST', body: await form(file, fields) }));

  let smart: AnimalsResult;

  it('finds the right species in the right time ranges through Dapr, with best frames', async () => {
    const res = await fetch(
      `http://127.0.0.1:${client.httpPort}/v1.0/invoke/animal-detect/method/api/animals/upload`,
      {
        method: 'POST',
        body: await form(video('safari.mp4')),
        // main-app's headers: with them the service reports progress on pub/sub.
        headers: { 'x-vidp-video-id': 'video-42', 'x-vidp-task-id': 'task-7' },
      },
    );
    const answer = await read(res);
    expect(answer.status, JSON.stringify(answer.problem)).toBe(200);
    const result = answer.result as AnimalsResult;
    smart = result;
    const species = result.appearances.map((a) => a.species);
    const rangesOf = (s: string) => result.appearances.find((a) => a.species === s)?.ranges ?? [];
    const seenIn = (s: string, start: number, end: number) =>
      rangesOf(s).reduce(
        (sum, r) => sum + Math.max(0, Math.min(end, r.endSec) - Math.max(start, r.startSec)),
        0,
      );
    console.log(
      'appearances:',
      result.appearances.map(
        (a) =>
          `${a.species} ${a.ranges.map((r) => `${r.startSec}-${r.endSec}s`).join(',')} (peak ${a.peakConfidence})`,
      ),
    );

    // Every reported species is a COCO animal: the person in person.jpg and kite.jpg is not one.
    expect(species).not.toContain('person');
    for (const s of species) expect(COCO_ANIMALS).toContain(s);
    // The dog opens the video (0-4 s) and comes back with the person (23-27 s).
    expect(rangesOf('dog')[0]?.startSec).toBe(0);
    expect(rangesOf('dog')[0]?.endSec).toBeCloseTo(4, 0);
    expect(seenIn('dog', 23, 27)).toBeGreaterThanOrEqual(3.5);
    // Horses in the pan (8-14 s), the giraffe (14-19 s), the eagle (19-23 s).
    expect(seenIn('horse', 8, 14)).toBeGreaterThanOrEqual(3);
    expect(seenIn('giraffe', 14, 19)).toBeGreaterThanOrEqual(4);
    expect(seenIn('bird', 19, 23)).toBeGreaterThanOrEqual(3.5);
    // No animal at all in the kites (4-8 s) nor in the painting (27-30 s).
    for (const s of species) {
      expect(seenIn(s, 4.25, 8), `${s} in the no-animal stretch`).toBe(0);
      expect(seenIn(s, 27.25, 30), `${s} in the painting`).toBe(0);
    }

    // Smart sampling: far fewer detector runs than decoded frames; cuts found.
    expect(result.sampling.framesDecoded).toBeGreaterThanOrEqual(115);
    expect(result.sampling.framesInferred).toBeLessThan(result.sampling.framesDecoded / 3);
    expect(result.sampling.sceneChanges).toBeGreaterThanOrEqual(6);
    expect(result.frames.length).toBe(result.sampling.framesInferred);
    expect(result.frames.some((f) => f.detections.some((d) => d.species === 'giraffe'))).toBe(true);

    // One JPEG per species, the part the result names.
    for (const a of result.appearances) {
      const part = answer.parts.get(a.bestFrame.part);
      expect(part, a.bestFrame.part).toBeDefined();
      expect(part?.type).toBe('image/jpeg');
      expect(part?.bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(a.bestFrame.confidence).toBe(a.peakConfidence);
    }
    expect(answer.parts.size).toBe(result.appearances.length);

    const score = scoreAppearances(result.appearances, labelledSegments(SAFARI));
    console.log(
      `species-level appearances: precision ${score.precision.toFixed(2)} recall ${score.recall.toFixed(2)} ` +
        `(TP ${score.truePositives}, FP ${score.falsePositives}: ${score.unexpected.join(' ') || '-'}; ` +
        `FN ${score.falseNegatives}: ${score.missed.join(' ') || '-'})`,
    );
    expect(score.precision).toBeGreaterThanOrEqual(MIN_PRECISION);
    expect(score.recall).toBeGreaterThanOrEqual(MIN_RECALL);
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
  });

  it('smart sampling needs at most a third of the runs of a fixed 2 fps, losing no appearance', async () => {
    const fixed = (await upload(video('safari.mp4'), { mode: 'fixed', fps: '2' })).result as AnimalsResult;
    const truth = labelledSegments(SAFARI);
    const found = (r: AnimalsResult) => {
      const s = scoreAppearances(r.appearances, truth);
      const all = truth.flatMap((seg) => seg.species.map((sp) => `${sp}@${seg.startSec}-${seg.endSec}s`));
      return all.filter((x) => !s.missed.includes(x));
    };
    console.log(
      `detector runs: smart ${smart.sampling.framesInferred}, fixed 2 fps ${fixed.sampling.framesInferred} ` +
        `(ratio ${(smart.sampling.framesInferred / fixed.sampling.framesInferred).toFixed(2)})`,
    );
    expect(fixed.sampling.framesInferred).toBe(fixed.sampling.framesDecoded);
    expect(smart.sampling.framesInferred * 3).toBeLessThanOrEqual(fixed.sampling.framesInferred);
    for (const hit of found(fixed)) expect(found(smart), `smart lost ${hit}`).toContain(hit);
  });

  it('reports only the species asked for', async () => {
    const { status, result, parts } = await upload(video('safari.mp4'), { species: 'giraffe,zebra' });
    expect(status).toBe(200);
    expect(result?.appearances.map((a) => a.species)).toContain('giraffe');
    for (const a of result?.appearances ?? []) expect(['giraffe', 'zebra']).toContain(a.species);
    expect(
      result?.frames
        .flatMap((f) => f.detections.map((d) => d.species))
        .every((s) => s === 'giraffe' || s === 'zebra'),
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
    ['a video over the duration limit', 'long.mp4', {}, 422, /at most 40 s/],
    [
      'a request over the frame limit',
      'safari.mp4',
      { mode: 'fixed', fps: '10' },
      422,
      /would decode 300 frames; the limit is 250/,
    ],
    ['an absurd rate', 'safari.mp4', { fps: '1000' }, 400, /fps must be between/],
    [
      'an unknown species',
      'safari.mp4',
      { species: 'unicorn' },
      400,
      /Unknown species: unicorn\. This service recognises: bird, cat, dog, horse/,
    ],
    ['an unknown option', 'safari.mp4', { sampling: 'all' }, 400, /unknown option/],
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
      body: await form(video('safari.mp4'), { mode: 'fixed', fps: '8' }),
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
    const again = await upload(video('safari.mp4'), { species: 'dog' });
    expect(again.status).toBe(200);
  });

  it('lists the animals it can recognise', async () => {
    const res = await fetch(`${appUrl}/api/animals/species`);
    expect(((await res.json()) as { species: string[] }).species).toEqual([...COCO_ANIMALS]);
  });
});
