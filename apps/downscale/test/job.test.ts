// The downscale job with real ffmpeg and ffprobe on generated and real sources (no HTTP).
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeMedia } from '@vidp/media';
import { withTempDir } from '@vidp/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegTools } from '../src/adapters/ffmpeg-tools.js';
import { type DownscaleResult, downscale, type OutputFile } from '../src/domain/downscale.js';
import { SourceRejected } from '../src/domain/errors.js';
import type { LadderOptions } from '../src/domain/ladder.js';
import * as fx from './fixtures.js';

const tools = ffmpegTools({ timeoutMs: 120_000, nice: 10, maxPixels: 4096 * 4096 });
const limits = { maxDurationSec: 600, maxDimension: 4096 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidp-downscale-job-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the job in a fresh folder, hands the outputs to `check`, then removes the folder. */
function job<T>(
  sourcePath: string,
  options: LadderOptions,
  check: (out: { result: DownscaleResult; files: OutputFile[]; workDir: string }) => Promise<T>,
  extra: {
    signal?: AbortSignal;
    onProgress?: (f: number, stage: string) => void;
    limits?: typeof limits;
  } = {},
) {
  return withTempDir(
    'job',
    async (workDir) =>
      check({
        ...(await downscale({
          sourcePath,
          options,
          workDir,
          tools,
          limits: extra.limits ?? limits,
          ...extra,
        })),
        workDir,
      }),
    dir,
  );
}

/** The first top-level MP4 boxes: faststart puts `moov` before `mdat`. */
async function topBoxes(path: string): Promise<string[]> {
  const fh = await open(path);
  const boxes: string[] = [];
  try {
    let pos = 0;
    const header = Buffer.alloc(16);
    while (boxes.length < 4) {
      const { bytesRead } = await fh.read(header, 0, 16, pos);
      if (bytesRead < 8) break;
      let size = header.readUInt32BE(0);
      if (size === 1) size = Number(header.readBigUInt64BE(8));
      boxes.push(header.toString('latin1', 4, 8));
      if (size < 8) break;
      pos += size;
    }
  } finally {
    await fh.close();
  }
  return boxes;
}

const imageSize = (path: string) =>
  execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path])
    .toString()
    .trim();

/** Every rendition plays, lasts as long as the source, has the planned size, and audio iff the source has. */
async function expectPlayable(
  source: fx.Fixture,
  out: { result: DownscaleResult; files: OutputFile[] },
  expected: string[],
) {
  const { result, files } = out;
  expect(result.renditions.map((r) => `${r.width}x${r.height}`)).toEqual(expected);
  for (const r of result.renditions) {
    const file = files.find((f) => f.part === r.part)!;
    const info = await probeMedia(file.path);
    expect(Math.abs(info.durationSec - source.durationSec), `${r.part} duration`).toBeLessThanOrEqual(0.1);
    expect(info.video).toMatchObject({
      codec: 'h264',
      rotation: 0,
      pixelFormat: 'yuv420p',
      sampleAspectRatio: 1,
    });
    expect(`${info.video!.width}x${info.video!.height}`).toBe(`${r.width}x${r.height}`);
    expect(Boolean(info.audio), `${r.part} audio`).toBe(source.audio);
    if (info.audio) expect(info.audio).toMatchObject({ codec: 'aac' });
    expect((await topBoxes(file.path)).slice(0, 2)).toEqual(['ftyp', 'moov']);
    expect(r.sizeBytes).toBe((await stat(file.path)).size);
  }
  const poster = files.find((f) => f.part === 'poster')!;
  expect(imageSize(poster.path)).toBe(`${result.poster!.width},${result.poster!.height}`);
  const board = files.find((f) => f.part === 'storyboard')!;
  expect(imageSize(board.path)).toBe(`${result.storyboard!.width},${result.storyboard!.height}`);
  // The thumbnails track names the storyboard's tiles, each inside the image.
  const vtt = await readFile(files.find((f) => f.part === 'thumbnails')!.path, 'utf8');
  const tiles = [...vtt.matchAll(/^storyboard\.jpg#xywh=(\d+),(\d+),(\d+),(\d+)$/gm)].map((m) =>
    m.slice(1).map(Number),
  );
  expect(tiles).toHaveLength(result.storyboard!.count);
  for (const [x, y, w, h] of tiles as [number, number, number, number][]) {
    expect(x + w).toBeLessThanOrEqual(result.storyboard!.width);
    expect(y + h).toBeLessThanOrEqual(result.storyboard!.height);
  }
}

describe('downscale job (real ffmpeg)', () => {
  it('encodes a landscape source with audio into the asked ladder, poster and storyboard, reporting progress', async () => {
    const src = fx.landscape(dir);
    const progress: [number, string][] = [];
    await job(
      src.path,
      { rungs: [720, 360, 240] },
      async (out) => {
        await expectPlayable(src, out, ['640x360', '426x240']);
        expect(out.result.settings).toMatchObject({ rungs: [360, 240], skippedRungs: [720], hls: false });
        expect(out.result.source).toMatchObject({ width: 640, height: 360, audio: { codec: 'aac' } });
        expect(out.result.storyboard).toMatchObject({
          count: 3,
          columns: 3,
          rows: 1,
          thumbWidth: 160,
          thumbHeight: 90,
        });
      },
      { onProgress: (f, stage) => progress.push([f, stage]) },
    );
    const fractions = progress.map(([f]) => f);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([1, 'done']);
    expect(progress.some(([f, stage]) => stage === 'encoding' && f > 0.3)).toBe(true);
  });

  it('keeps a portrait source upright', async () => {
    const src = fx.portrait(dir);
    await job(src.path, { rungs: [360, 240] }, (out) => expectPlayable(src, out, ['360x640', '240x426']));
  });

  it('applies rotation metadata: the outputs are upright and carry no rotation', async () => {
    const src = fx.rotated(dir);
    expect((await probeMedia(src.path)).video?.rotation).not.toBe(0);
    await job(src.path, { rungs: [360, 240] }, (out) => expectPlayable(src, out, ['360x640', '240x426']));
  });

  it('gives an odd-sized source (Matroska, Opus, 4:4:4) even sizes', async () => {
    const src = fx.oddSized(dir);
    await job(src.path, { rungs: [360, 240, 120] }, (out) =>
      expectPlayable(src, out, ['320x240', '160x120']),
    );
  });

  it('encodes a source without audio into renditions without audio', async () => {
    const src = fx.noAudio(dir);
    await job(src.path, { rungs: [240] }, (out) => expectPlayable(src, out, ['426x240']));
  });

  it('keeps the timing of a variable-frame-rate source', async () => {
    const src = fx.variableFrameRate(dir);
    const info = JSON.parse(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_streams',
        '-select_streams',
        'v',
        '-of',
        'json',
        src.path,
      ]).toString(),
    ).streams[0];
    expect(info.avg_frame_rate).not.toBe(info.r_frame_rate);
    const probed = await probeMedia(src.path);
    await job(src.path, { rungs: [240] }, (out) =>
      expectPlayable({ ...src, durationSec: probed.durationSec }, out, ['426x240']),
    );
  });

  it('encodes real photographic content and packages HLS over the ladder', async () => {
    const src = fx.realPhoto(dir);
    await job(src.path, { rungs: [480, 360, 240], hls: true }, async (out) => {
      await expectPlayable(src, out, ['640x480', '480x360', '320x240']);
      const hls = out.result.hls!;
      expect(hls.variants.map((v) => v.rung)).toEqual([480, 360, 240]);
      const byPart = new Map(out.files.map((f) => [f.part, f]));
      const master = await readFile(byPart.get('hls-master')!.path, 'utf8');
      for (const v of hls.variants) {
        expect(master).toContain(`${v.rung}p.m3u8`);
        expect(v.bandwidth).toBeGreaterThanOrEqual(v.averageBandwidth);
        const playlist = byPart.get(v.playlist.part)!;
        const played = execFileSync('ffprobe', [
          '-v',
          'error',
          '-protocol_whitelist',
          'file',
          '-show_entries',
          'format=duration',
          '-of',
          'csv=p=0',
          playlist.path,
        ]).toString();
        expect(Math.abs(Number(played) - src.durationSec)).toBeLessThanOrEqual(0.1);
      }
      expect(master).toMatch(/CODECS="avc1\.64[0-9a-f]{4},mp4a\.40\.2"/);
    });
  });

  it('is cancelled by its signal: ffmpeg is killed and no child process remains', async () => {
    const src = fx.landscape(dir, 'long.mp4', 20);
    const ac = new AbortController();
    const run = job(src.path, { rungs: [360, 240] }, async () => undefined, {
      signal: ac.signal,
      onProgress: (f) => {
        if (f > 0.05) ac.abort(new Error('caller went away'));
      },
    });
    await expect(run).rejects.toThrow(/cancelled/);
    const children = await readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').catch(
      () => '',
    );
    expect(children.trim()).toBe('');
    expect(await readdir(dir, { recursive: true })).not.toContainEqual(expect.stringMatching(/(^|\/)job-/));
  });
});

describe('downscale job time limit', () => {
  it('kills ffmpeg at the time limit and calls it a refusal, not a crash', async () => {
    const src = fx.landscape(dir, 'slow.mp4', 20);
    const slowTools = ffmpegTools({ timeoutMs: 300, nice: 10, maxPixels: 4096 * 4096 });
    const run = withTempDir(
      'job',
      (workDir) =>
        downscale({ sourcePath: src.path, options: { rungs: [360] }, workDir, tools: slowTools, limits }),
      dir,
    );
    await expect(run).rejects.toMatchObject({ kind: 'timed-out' });
  });
});

describe('downscale job refuses bad sources', () => {
  const refused = (path: string, opts: { limits?: typeof limits } = {}) =>
    job(path, {}, async () => 'accepted', opts).then(
      () => {
        throw new Error('accepted');
      },
      (err: unknown) => {
        expect(err).toBeInstanceOf(SourceRejected);
        return err as SourceRejected;
      },
    );

  it('refuses an HLS playlist named .mp4, and never reads the file it points at', async () => {
    const err = await refused(await fx.hlsPlaylistAttack(dir));
    expect(err.kind).toBe('unsupported');
    expect(err.message).not.toContain(fx.SECRET);
  });

  it('refuses an ffconcat script named .mp4', async () => {
    const target = fx.landscape(dir, 'target.mp4').path;
    const err = await refused(await fx.concatAttack(dir, target));
    expect(err.kind).toBe('unsupported');
  });

  it('refuses text, empty and audio-only files', async () => {
    const text = join(dir, 'notes.mp4');
    await fx.writeText(text, 'not a video at all\n');
    expect((await refused(text)).kind).toBe('unsupported');
    const empty = join(dir, 'empty.mov');
    await fx.writeText(empty, '');
    expect((await refused(empty)).kind).toBe('unsupported');
    expect((await refused(fx.audioOnly(dir))).kind).toBe('no-video');
  });

  it('refuses sources over the duration and resolution limits', async () => {
    const src = fx.landscape(dir, 'limits.mp4');
    expect((await refused(src.path, { limits: { maxDurationSec: 2, maxDimension: 4096 } })).message).toMatch(
      /at most 2 s/,
    );
    expect((await refused(src.path, { limits: { maxDurationSec: 60, maxDimension: 480 } })).message).toMatch(
      /640x360.*at most 480 pixels/,
    );
  });

  it('refuses a truncated upload that probes but cannot be decoded to its end', async () => {
    const src = fx.landscape(dir, 'whole.mp4', 6);
    const cut = join(dir, 'truncated.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      src.path,
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      cut,
    ]);
    await truncate(cut, Math.floor((await stat(cut)).size * 0.4));
    const err = await refused(cut);
    expect(err.kind).toBe('undecodable');
  });
});
