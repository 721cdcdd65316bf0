import type { MediaInfo } from '@vidp/media';
import { describe, expect, it } from 'vitest';
import { hlsArgs, ladderArgs, ladderFilter, ladderPaths } from '../src/adapters/ffmpeg-args.js';
import { codecsOf, masterPlaylist, variantBandwidth } from '../src/adapters/hls-playlists.js';
import { DEFAULT_PRESET } from '../src/domain/defaults.js';
import { checkLimits } from '../src/domain/downscale.js';
import { SourceRejected } from '../src/domain/errors.js';
import { planLadder } from '../src/domain/ladder.js';

function source(
  width: number,
  height: number,
  more: Partial<NonNullable<MediaInfo['video']>> = {},
  audio = true,
): MediaInfo {
  const rotation = more.rotation ?? 0;
  const swap = rotation === 90 || rotation === 270;
  return {
    format: 'mov,mp4,m4a,3gp,3g2,mj2',
    formatLongName: 'QuickTime / MOV',
    durationSec: 60,
    sizeBytes: 1e6,
    video: {
      codec: 'h264',
      width,
      height,
      fps: 30,
      rotation,
      displayWidth: swap ? height : width,
      displayHeight: swap ? width : height,
      sampleAspectRatio: 1,
      ...more,
    },
    ...(audio ? { audio: { codec: 'aac', channels: 6, sampleRate: 96_000 } } : {}),
  };
}

const sizes = (info: MediaInfo, rungs?: number[]) =>
  planLadder(info, rungs ? { rungs } : {}).renditions.map((r) => `${r.rung}:${r.width}x${r.height}`);

describe('planLadder', () => {
  it('keeps every default rung up to a 1080p source, never above it', () => {
    expect(sizes(source(1920, 1080))).toEqual([
      '1080:1920x1080',
      '720:1280x720',
      '480:854x480',
      '360:640x360',
      '240:426x240',
    ]);
    const plan = planLadder(source(1280, 720));
    expect(plan.renditions.map((r) => r.rung)).toEqual([720, 480, 360, 240]);
    expect(plan.skipped).toEqual([1080]);
    expect(plan.preset).toBe(DEFAULT_PRESET);
  });

  it('reads a rung as the shorter side, so portrait videos keep their shape', () => {
    expect(sizes(source(1080, 1920), [720, 360])).toEqual(['720:720x1280', '360:360x640']);
  });

  it('applies the rotation: a landscape-stored phone video comes out upright', () => {
    expect(sizes(source(1920, 1080, { rotation: 90 }), [720])).toEqual(['720:720x1280']);
    expect(sizes(source(1920, 1080, { rotation: 180 }), [720])).toEqual(['720:1280x720']);
  });

  it('gives odd and anamorphic sources even sizes with the displayed aspect', () => {
    expect(sizes(source(321, 241), [240])).toEqual(['240:320x240']);
    // DVD PAL 16:9: 720x576 stored, pixels 64:45 wide.
    expect(sizes(source(720, 576, { sampleAspectRatio: 64 / 45 }), [576, 480])).toEqual([
      '576:1024x576',
      '480:854x480',
    ]);
    for (const r of planLadder(source(333, 187), { rungs: [180, 121] }).renditions) {
      expect(r.width % 2).toBe(0);
      expect(r.height % 2).toBe(0);
    }
  });

  it('gives a source smaller than every rung one rendition at its own size', () => {
    const plan = planLadder(source(200, 150), { rungs: [720, 360] });
    expect(plan.renditions.map((r) => `${r.width}x${r.height}`)).toEqual(['200x150']);
    expect(plan.skipped).toEqual([720, 360]);
  });

  it('uses per-rung defaults unless the caller overrides them within bounds', () => {
    const plan = planLadder(source(1920, 1080), {
      rungs: [720, 240],
      crf: 30,
      audioKbps: 64,
      preset: 'fast',
    });
    expect(plan.renditions.map((r) => [r.crf, r.audioKbps])).toEqual([
      [30, 64],
      [30, 64],
    ]);
    expect(plan.preset).toBe('fast');
    const defaults = planLadder(source(1920, 1080), { rungs: [720, 240] }).renditions;
    expect(defaults[0]!.maxrateKbps).toBeGreaterThan(defaults[1]!.maxrateKbps);
    expect(defaults.every((r) => r.bufsizeKbps === 2 * r.maxrateKbps)).toBe(true);
  });

  it('downmixes to stereo at most 48 kHz, and plans no audio for a silent source', () => {
    expect(planLadder(source(640, 360)).audio).toEqual({ channels: 2, sampleRate: 48_000 });
    const silent = planLadder(source(640, 360, {}, false));
    expect(silent.audio).toBeUndefined();
    expect(silent.renditions.every((r) => r.audioKbps === undefined)).toBe(true);
  });

  it('caps frame rates above 60 fps', () => {
    expect(planLadder(source(1280, 720, { fps: 120 })).fpsCap).toBe(60);
    expect(planLadder(source(1280, 720, { fps: 30 })).fpsCap).toBeUndefined();
  });

  it('lays out the storyboard and poster from duration and aspect', () => {
    const plan = planLadder(source(1920, 1080));
    expect(plan.storyboard).toMatchObject({
      count: 25,
      columns: 5,
      rows: 5,
      thumb: { width: 160, height: 90 },
    });
    expect(plan.storyboard.intervalSec).toBeCloseTo(2.4);
    expect(plan.poster).toEqual({ width: 1280, height: 720, atSec: 6 });
    const short = planLadder({ ...source(360, 640), durationSec: 3 });
    expect(short.storyboard).toMatchObject({
      count: 3,
      columns: 3,
      rows: 1,
      thumb: { width: 90, height: 160 },
    });
  });
});

describe('checkLimits', () => {
  const limits = { maxDurationSec: 100, maxDimension: 1920 };
  it('refuses long, large and video-less sources with the limit in the message', () => {
    expect(() => checkLimits({ ...source(640, 360), durationSec: 101 }, limits)).toThrow(/at most 100 s/);
    expect(() => checkLimits(source(2560, 1440), limits)).toThrow(/at most 1920 pixels/);
    const { video: _, ...audioOnly } = source(640, 360);
    expect(() => checkLimits(audioOnly, limits)).toThrow(SourceRejected);
    expect(() => checkLimits(source(1920, 1080), limits)).not.toThrow();
  });
});

describe('ffmpeg arguments', () => {
  const plan = planLadder(source(1920, 1080), { rungs: [720, 480, 360], hls: true });
  const paths = ladderPaths(plan, '/jobs/out');
  const args = ladderArgs(plan, ['-f', 'mov', '-i', 'file:/jobs/in/part-0'], paths);

  it('decodes once: one input, split into a cascade of renditions, the poster and the storyboard', () => {
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(ladderFilter(plan).split(';').slice(0, 4)).toEqual([
      '[0:v:0]split=3[l0][p][s]',
      '[l0]scale=1280:720,setsar=1,format=yuv420p,split=2[v0][l1]',
      '[l1]scale=854:480,setsar=1,split=2[v1][l2]',
      '[l2]scale=640:360,setsar=1[v2]',
    ]);
    expect(args.filter((a) => a === 'libx264')).toHaveLength(3);
  });

  it('names every output as a plain file, with faststart, and strips metadata', () => {
    const outputs = args.filter((a) => a.startsWith('file:/jobs/out/'));
    expect(outputs).toEqual([
      'file:/jobs/out/720p.mp4',
      'file:/jobs/out/480p.mp4',
      'file:/jobs/out/360p.mp4',
      'file:/jobs/out/poster.jpg',
      'file:/jobs/out/storyboard.jpg',
    ]);
    expect(args.filter((a) => a === '+faststart')).toHaveLength(3);
    expect(args.filter((a) => a === '-map_metadata')).toHaveLength(5);
  });

  it('packages HLS from its own MP4s, pinned to the mp4 demuxer and local files', () => {
    const hls = hlsArgs(
      plan.renditions.map((r) => ({ name: r.name, path: `/jobs/out/${r.name}.mp4` })),
      true,
      '/jobs/out/hls',
    );
    expect(hls.filter((a) => a === '-protocol_whitelist')).toHaveLength(3);
    expect(hls).toContain('v:0,a:0,name:720p v:1,a:1,name:480p v:2,a:2,name:360p');
    expect(hls.at(-1)).toBe('file:/jobs/out/hls/%v.m3u8');
  });
});

describe('HLS playlists', () => {
  it('measures bandwidth from byte ranges and writes a master with codecs', () => {
    const variant = [
      '#EXTM3U',
      '#EXT-X-MAP:URI="720p.m4s",BYTERANGE="1000@0"',
      '#EXTINF:4.000000,',
      '#EXT-X-BYTERANGE:1000000@1000',
      '720p.m4s',
      '#EXTINF:2.000000,',
      '#EXT-X-BYTERANGE:250000@1001000',
      '720p.m4s',
      '#EXT-X-ENDLIST',
    ].join('\n');
    const bw = variantBandwidth(variant);
    expect(bw).toEqual({ bandwidth: 2_000_000, averageBandwidth: 1_666_667 });
    const info = source(1280, 720, { profile: 'High', level: 31 });
    expect(codecsOf(info)).toBe('avc1.64001f,mp4a.40.2');
    const master = masterPlaylist([{ name: '720p', info, ...bw }]);
    expect(master).toContain(
      '#EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1666667,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720',
    );
    expect(master.trim().split('\n').at(-1)).toBe('720p.m3u8');
  });
});
