import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegError } from '../src/ffmpeg-error.js';
import { type RawFrame, rawFrameFilter, readRawFrames } from '../src/frames.js';
import { probeMedia } from '../src/probe.js';
import { runFfmpeg } from '../src/run.js';

describe('raw frames from ffmpeg', () => {
  let dir: string;
  let clip: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidp-frames-'));
    clip = join(dir, 'clip.mp4');
    // 3 s, 160 x 90: red for 1 s, then green.
    await runFfmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=160x90:r=10:d=1',
      '-f',
      'lavfi',
      '-i',
      'color=c=green:s=160x90:r=10:d=2',
      '-filter_complex',
      '[0:v][1:v]concat=n=2:v=1:a=0',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-y',
      clip,
    ]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('scales and letterboxes in ffmpeg', () => {
    expect(
      rawFrameFilter({ fps: 2, width: 64, height: 64, scaleWidth: 64, scaleHeight: 36, padX: 0, padY: 14 }),
    ).toBe('fps=2,scale=64:36:flags=bilinear,pad=64:64:0:14:black,format=rgb24');
    expect(rawFrameFilter({ fps: 1, width: 32, height: 32 })).toBe(
      'fps=1,scale=32:32:flags=bilinear,format=rgb24',
    );
  });

  it('yields letterboxed RGB frames at the asked rate, with their times', async () => {
    const info = await probeMedia(clip);
    const frames: RawFrame[] = [];
    for await (const f of readRawFrames(clip, info, {
      fps: 2,
      width: 64,
      height: 64,
      scaleWidth: 64,
      scaleHeight: 36,
      padX: 0,
      padY: 14,
    })) {
      frames.push(f);
    }
    expect(frames.map((f) => f.timeSec)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    for (const f of frames) expect(f.data.length).toBe(64 * 64 * 3);
    const pixel = (k: number, x: number, y: number) => [
      ...(frames[k]?.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3) ?? []),
    ];
    // Black padding above the picture, red first, green after the first second.
    expect(pixel(0, 32, 2)).toEqual([0, 0, 0]);
    expect(pixel(0, 32, 32)[0]).toBeGreaterThan(200);
    expect(pixel(3, 32, 32)[1]).toBeGreaterThan(100);
    expect(pixel(3, 32, 32)[0]).toBeLessThan(60);
  });

  it('kills ffmpeg when cancelled', async () => {
    const info = await probeMedia(clip);
    const ac = new AbortController();
    const read = async () => {
      for await (const _ of readRawFrames(clip, info, { fps: 10, width: 64, height: 64, signal: ac.signal }))
        ac.abort();
    };
    await expect(read()).rejects.toBeInstanceOf(FfmpegError);
  });
});
