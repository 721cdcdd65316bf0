import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Makes a small test video with ffmpeg's built-in sources (nobody's footage): H.264 (+ AAC)
 * in MP4, or with `webm`, VP8 for browsers that play only free codecs.
 */
export function makeVideo(
  dir: string,
  name: string,
  opts: {
    seconds?: number;
    audio?: boolean;
    size?: string;
    faststart?: boolean;
    tone?: number;
    webm?: boolean;
  } = {},
): string {
  const out = join(dir, name);
  const seconds = opts.seconds ?? 2;
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${opts.size ?? '160x120'}:rate=15:duration=${seconds}`,
    ...(opts.audio === false
      ? []
      : ['-f', 'lavfi', '-i', `sine=frequency=${opts.tone ?? 440}:duration=${seconds}`]),
    ...(opts.webm ? ['-c:v', 'libvpx', '-b:v', '200k'] : ['-c:v', 'libx264', '-preset', 'ultrafast']),
    '-pix_fmt',
    'yuv420p',
    ...(opts.audio === false ? [] : ['-c:a', opts.webm ? 'libopus' : 'aac', '-shortest']),
    ...(opts.faststart ? ['-movflags', '+faststart'] : []),
    out,
  ]);
  return out;
}
