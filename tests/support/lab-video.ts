import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { JFK_WAV } from '../../packages/speech/test/fixtures.js';
import { DARKNET_IMAGES } from './animal-videos.js';
import { LAB_DIR } from './lab.js';

const ffmpeg = (args: string[]) =>
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

/**
 * A real video for the lab: Darknet's photo of a dog with JFK's real speech (11 s), made once per
 * name. Each name gives different bytes (main-app answers a byte-identical upload with the video it
 * already has). `seconds` longer than the speech loops the audio (load for the autoscaler).
 */
export function labVideo(name: string, seconds = 0): string {
  const dir = join(LAB_DIR, '..', 'lab-media');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name.replace(/[^a-z0-9-]/gi, '-')}.mp4`);
  if (existsSync(out)) return out;
  ffmpeg([
    '-loop',
    '1',
    '-framerate',
    '25',
    '-i',
    join(DARKNET_IMAGES, 'dog.jpg'),
    ...(seconds ? ['-stream_loop', '-1'] : []),
    '-i',
    JFK_WAV,
    '-vf',
    'scale=1280:-2',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    ...(seconds ? ['-t', String(seconds)] : ['-shortest']),
    '-metadata',
    `comment=${name}`,
    `${out}.tmp.mp4`,
  ]);
  execFileSync('mv', [`${out}.tmp.mp4`, out]);
  return out;
}
