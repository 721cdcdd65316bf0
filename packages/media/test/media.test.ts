import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegError, UnsupportedMediaError } from '../src/ffmpeg-error.js';
import { beyondLimits, FORMAT_WHITELIST } from '../src/limits.js';
import { parseProbe, probeMedia, safeInputArgs } from '../src/probe.js';
import { runFfmpeg } from '../src/run.js';

let dir: string;
const make = (name: string, args: string[]) => {
  const out = join(dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
  return out;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidp-media-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('probeMedia (real ffprobe)', () => {
  it('describes a video with audio', async () => {
    const file = make('av.mp4', [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=25:duration=2',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=2',
      '-c:v',
      'libx264',
      '-c:a',
      'aac',
      '-shortest',
    ]);
    const info = await probeMedia(file);
    expect(info.format).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    expect(info.durationSec).toBeCloseTo(2, 0);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 240, fps: 25, rotation: 0 });
    expect(info.audio).toMatchObject({ codec: 'aac', channels: 1 });
  });

  it('refuses an HLS playlist disguised as an MP4', async () => {
    const secret = join(dir, 'secret.txt');
    await writeFile(secret, 'password=hunter2\n');
    const file = join(dir, 'playlist.mp4');
    await writeFile(
      file,
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://${secret}\n#EXT-X-ENDLIST\n`,
    );
    await expect(probeMedia(file)).rejects.toBeInstanceOf(UnsupportedMediaError);
  });

  it('refuses an ffconcat script named .mp4', async () => {
    const file = join(dir, 'concat.mp4');
    await writeFile(file, `ffconcat version 1.0\nfile '${join(dir, 'av.mp4')}'\n`);
    await expect(probeMedia(file)).rejects.toThrow(UnsupportedMediaError);
  });

  it('refuses a text file and an empty file with a readable reason', async () => {
    const text = join(dir, 'notes.mp4');
    await writeFile(text, 'just some text, not a video\n');
    await expect(probeMedia(text)).rejects.toThrow(/Not a readable media file|not accepted/);
    const empty = join(dir, 'empty.mp4');
    await writeFile(empty, '');
    await expect(probeMedia(empty)).rejects.toBeInstanceOf(UnsupportedMediaError);
  });

  it('keeps internal paths out of its refusal messages', async () => {
    const text = join(dir, 'private-name.mp4');
    await writeFile(text, 'just some text\n');
    const err = await probeMedia(text).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UnsupportedMediaError);
    expect((err as Error).message).not.toContain(dir);
  });

  it('reads rotation from the display matrix', async () => {
    // ffmpeg 5.1 writes the rotate tag into the display matrix only when stream-copying.
    const plain = make('rot0.mp4', [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=10:duration=1',
      '-c:v',
      'libx264',
    ]);
    const file = make('rot.mp4', ['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
    const info = await probeMedia(file);
    expect([90, 270]).toContain(info.video?.rotation);
    expect(info.video).toMatchObject({ displayWidth: 240, displayHeight: 320 });
  });
});

describe('runFfmpeg (real ffmpeg)', () => {
  it('reports progress and finishes', async () => {
    const src = join(dir, 'av.mp4');
    const seen: number[] = [];
    await runFfmpeg(
      ['-i', `file:${src}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-y', join(dir, 'out.mp4')],
      {
        onProgress: (p) => seen.push(p.outTimeSec),
      },
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeGreaterThan(1.5);
  });

  it('is killed on abort and says so', async () => {
    const ac = new AbortController();
    const run = runFfmpeg(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=1280x720:rate=30:duration=600',
        '-c:v',
        'libx264',
        '-y',
        join(dir, 'long.mp4'),
      ],
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 300);
    await expect(run).rejects.toThrow(/cancelled/);
  });

  it('cannot open a network URL', async () => {
    await expect(runFfmpeg(['-i', 'http://127.0.0.1:9/x.mp4', '-f', 'null', '-'])).rejects.toBeInstanceOf(
      FfmpegError,
    );
  });

  it('leaves only the files it was asked to write', async () => {
    const files = await readdir(dir);
    expect(files.every((f) => !f.includes('ffmpeg'))).toBe(true);
  });
});

describe('safeInputArgs', () => {
  it('pins the probed demuxer, restricts nested ones and bounds the picture size', () => {
    const info = parseProbe({
      format: { format_name: 'matroska,webm', duration: '1' },
      streams: [{ codec_type: 'video', codec_name: 'vp9', width: 64, height: 64 }],
    });
    expect(safeInputArgs(info, '/in/part-0', { maxPixels: 1000 })).toEqual([
      '-f',
      'matroska',
      '-format_whitelist',
      FORMAT_WHITELIST,
      '-max_pixels',
      '1000',
      '-i',
      'file:/in/part-0',
    ]);
    expect(FORMAT_WHITELIST.split(',')).toEqual(
      expect.arrayContaining(['mov', 'mp4', 'matroska', 'webm', 'avi']),
    );
    expect(FORMAT_WHITELIST.split(',')).not.toEqual(expect.arrayContaining(['hls']));
    expect(FORMAT_WHITELIST).not.toMatch(/concat|hls|image2|lavfi/);
  });
});

describe('parseProbe', () => {
  it('reads pixel aspect, profile, level and stream durations', () => {
    const info = parseProbe({
      format: { format_name: 'mpeg', duration: '3.0' },
      streams: [
        {
          codec_type: 'video',
          codec_name: 'mpeg2video',
          width: 720,
          height: 576,
          sample_aspect_ratio: '64:45',
          profile: 'Main',
          level: 8,
          duration: '2.96',
        },
        { codec_type: 'audio', codec_name: 'mp2', channels: 2, sample_rate: '48000', bit_rate: '192000' },
      ],
    });
    expect(info.video).toMatchObject({
      sampleAspectRatio: 64 / 45,
      profile: 'Main',
      level: 8,
      durationSec: 2.96,
    });
    expect(info.audio).toMatchObject({ bitRate: 192000 });
    const unknown = parseProbe({
      streams: [{ codec_type: 'video', width: 2, height: 2, sample_aspect_ratio: '0:1' }],
    });
    expect(unknown.video?.sampleAspectRatio).toBe(1);
  });

  it('ignores cover art as a video stream', () => {
    const info = parseProbe({
      format: { format_name: 'mp3', duration: '3.0', size: '100' },
      streams: [
        { codec_type: 'audio', codec_name: 'mp3', channels: 2, sample_rate: '44100' },
        {
          codec_type: 'video',
          codec_name: 'mjpeg',
          width: 500,
          height: 500,
          disposition: { attached_pic: 1 },
        },
      ],
    });
    expect(info.video).toBeUndefined();
    expect(info.audio?.channels).toBe(2);
  });
});

describe('media limits', () => {
  const limits = { maxDurationSec: 3600, maxDimension: 4096 };
  it('names what a file claims beyond the limits, and lets the rest through', () => {
    expect(beyondLimits({ durationSec: 4_294_967_280 }, limits)).toMatch(
      /claims to last 4294967280 s; at most 3600 s/,
    );
    expect(
      beyondLimits({ durationSec: 2, video: { displayWidth: 16000, displayHeight: 16000 } }, limits),
    ).toMatch(/16000 x 16000; at most 4096 pixels a side/);
    expect(
      beyondLimits({ durationSec: 3600, video: { displayWidth: 4096, displayHeight: 2160 } }, limits),
    ).toBeUndefined();
  });
});
