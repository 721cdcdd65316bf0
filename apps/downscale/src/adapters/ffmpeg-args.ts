import { join } from 'node:path';
import { FORMAT_WHITELIST, PROTOCOL_WHITELIST } from '@vidp/media';
import { HLS_SEGMENT_SEC, KEYFRAME_INTERVAL_SEC } from '../domain/defaults.js';
import type { LadderPlan } from '../domain/ladder.js';

export interface LadderPaths {
  renditions: Map<string, string>;
  poster: string;
  storyboard: string;
}

export function ladderPaths(plan: LadderPlan, dir: string): LadderPaths {
  return {
    renditions: new Map(plan.renditions.map((r) => [r.name, join(dir, `${r.name}.mp4`)])),
    poster: join(dir, 'poster.jpg'),
    storyboard: join(dir, 'storyboard.jpg'),
  };
}

/**
 * The filter graph: the source is decoded once and split into the ladder, the poster and the
 * storyboard. The ladder is a cascade (source -> 720p -> 480p -> 360p...): each rung is scaled
 * from the one above, not from the source. ffmpeg runs the graph on one thread, and scaling
 * full-size frames once per rung made that thread the bottleneck: the cascade measured 7 %
 * faster end to end on a 60 s 1080p source (more on a busy machine), for the same SSIM. Rotation is applied by ffmpeg before the graph, so sizes here
 * are display sizes; `setsar=1` makes every output square-pixelled.
 */
export function ladderFilter(plan: LadderPlan): string {
  const head = plan.fpsCap ? `fps=${plan.fpsCap},` : '';
  const chains = [`[0:v:0]${head}split=3[l0][p][s]`];
  const last = plan.renditions.length - 1;
  plan.renditions.forEach((r, i) => {
    const scale = `[l${i}]scale=${r.width}:${r.height},setsar=1${i === 0 ? ',format=yuv420p' : ''}`;
    chains.push(i === last ? `${scale}[v${i}]` : `${scale},split=2[v${i}][l${i + 1}]`);
  });
  const { poster, storyboard: sb } = plan;
  // Times relative to the first frame, whatever the container's start time.
  chains.push(
    `[p]setpts=PTS-STARTPTS,select='gte(t\\,${poster.atSec})*eq(selected_n\\,0)',` +
      `scale=${poster.width}:${poster.height},setsar=1,format=yuvj420p[poster]`,
  );
  chains.push(
    `[s]setpts=PTS-STARTPTS,fps=1/${sb.intervalSec.toFixed(6)},` +
      `scale=${sb.thumb.width}:${sb.thumb.height},setsar=1,tile=${sb.columns}x${sb.rows},format=yuvj420p[board]`,
  );
  return chains.join(';');
}

const out = (path: string) => `file:${path}`;

/** One ffmpeg command for the whole ladder: arguments only, never a shell string. */
export function ladderArgs(plan: LadderPlan, inputArgs: string[], paths: LadderPaths): string[] {
  const args = [...inputArgs, '-filter_complex', ladderFilter(plan)];
  plan.renditions.forEach((r, i) => {
    args.push('-map', `[v${i}]`);
    if (plan.audio) args.push('-map', '0:a:0');
    args.push(
      '-c:v',
      'libx264',
      '-preset',
      plan.preset,
      '-crf',
      String(r.crf),
      '-maxrate',
      `${r.maxrateKbps}k`,
      '-bufsize',
      `${r.bufsizeKbps}k`,
      '-profile:v',
      'high',
      '-force_key_frames',
      `expr:gte(t,n_forced*${KEYFRAME_INTERVAL_SEC})`,
    );
    if (plan.audio && r.audioKbps) {
      args.push('-c:a', 'aac', '-b:a', `${r.audioKbps}k`, '-ac', String(plan.audio.channels));
      if (plan.audio.sampleRate) args.push('-ar', String(plan.audio.sampleRate));
    }
    args.push(
      // Phones write GPS positions and device names into metadata: none of it leaves.
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-movflags',
      '+faststart',
      '-max_muxing_queue_size',
      '4096',
      '-f',
      'mp4',
      out(paths.renditions.get(r.name)!),
    );
  });
  for (const [label, path] of [
    ['[poster]', paths.poster],
    ['[board]', paths.storyboard],
  ] as const) {
    args.push('-map', label, '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-map_metadata', '-1');
    args.push('-f', 'image2', '-update', '1', out(path));
  }
  return ['-y', ...args];
}

/** Input arguments for a file this service wrote itself (HLS packaging reads the MP4s). */
export function ownMp4Input(path: string): string[] {
  return [
    '-f',
    'mov',
    '-protocol_whitelist',
    PROTOCOL_WHITELIST,
    '-format_whitelist',
    FORMAT_WHITELIST,
    '-i',
    out(path),
  ];
}

/** Remuxes the renditions into HLS (fMP4, one file per variant, byte ranges), no re-encode. */
export function hlsArgs(
  renditions: { name: string; path: string }[],
  hasAudio: boolean,
  dir: string,
): string[] {
  const args = ['-y', ...renditions.flatMap((r) => ownMp4Input(r.path))];
  renditions.forEach((_, i) => {
    args.push('-map', `${i}:v:0`);
    if (hasAudio) args.push('-map', `${i}:a:0`);
  });
  const streamMap = renditions
    .map((r, i) => (hasAudio ? `v:${i},a:${i},name:${r.name}` : `v:${i},name:${r.name}`))
    .join(' ');
  args.push(
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    String(HLS_SEGMENT_SEC),
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'fmp4',
    '-hls_flags',
    'single_file+independent_segments',
    '-var_stream_map',
    streamMap,
    out(join(dir, '%v.m3u8')),
  );
  return args;
}
