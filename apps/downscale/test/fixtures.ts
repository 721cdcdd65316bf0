// Test media, generated with ffmpeg's own sources (and real photos where installed):
// a few seconds at low resolution, so the tests stay light on a shared machine.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const ffmpeg = (args: string[]) =>
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    stdio: 'pipe',
  });

export interface Fixture {
  path: string;
  durationSec: number;
  width: number;
  height: number;
  audio: boolean;
}

const video = (size: string, seconds: number, rate = 25) => [
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`,
];
const tone = (seconds: number) => [
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
];
const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

export function landscape(dir: string, name = 'landscape.mp4', seconds = 3): Fixture {
  const path = join(dir, name);
  ffmpeg([...video('640x360', seconds), ...tone(seconds), ...h264, '-c:a', 'aac', '-shortest', path]);
  return { path, durationSec: seconds, width: 640, height: 360, audio: true };
}

export function portrait(dir: string): Fixture {
  const path = join(dir, 'portrait.mp4');
  ffmpeg([...video('360x640', 3), ...tone(3), ...h264, '-c:a', 'aac', '-shortest', path]);
  return { path, durationSec: 3, width: 360, height: 640, audio: true };
}

/** Stored landscape, shown upright: a phone video with a 90° display matrix. */
export function rotated(dir: string): Fixture {
  const plain = join(dir, 'rotated-plain.mp4');
  ffmpeg([...video('640x360', 3), ...tone(3), ...h264, '-c:a', 'aac', '-shortest', plain]);
  const path = join(dir, 'rotated.mp4');
  // ffmpeg 5.1 writes the rotate tag into the display matrix only when stream-copying.
  ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', path]);
  return { path, durationSec: 3, width: 360, height: 640, audio: true };
}

/** Odd width and height, in a Matroska file with Opus audio: nothing is a multiple of 2. */
export function oddSized(dir: string): Fixture {
  const path = join(dir, 'odd.mkv');
  ffmpeg([
    ...video('321x241', 3),
    ...tone(3),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv444p',
    '-c:a',
    'libopus',
    '-shortest',
    path,
  ]);
  return { path, durationSec: 3, width: 321, height: 241, audio: true };
}

export function noAudio(dir: string): Fixture {
  const path = join(dir, 'silent.webm');
  ffmpeg([...video('480x270', 3), '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '500k', path]);
  return { path, durationSec: 3, width: 480, height: 270, audio: false };
}

/** Variable frame rate: frames 40 ms apart, then 100 ms apart, like a phone under low light. */
export function variableFrameRate(dir: string): Fixture {
  const path = join(dir, 'vfr.mp4');
  ffmpeg([
    // 70 frames: 50 over the first 2 s, 20 over the next 2 s.
    ...video('480x270', 2.8),
    ...tone(4),
    '-vf',
    'setpts=if(lt(N\\,50)\\,N*0.04\\,2+(N-50)*0.1)/TB',
    '-fps_mode',
    'vfr',
    ...h264,
    '-c:a',
    'aac',
    '-shortest',
    path,
  ]);
  return { path, durationSec: 4, width: 480, height: 270, audio: true };
}

/** Installed by the project's Debian provisioning (darknet's test data). */
export const PHOTO = '/usr/share/darknet/data/dog.jpg';

/** A real photograph (Debian's darknet test data), panned and zoomed like a documentary shot. */
export function realPhoto(dir: string): Fixture {
  const path = join(dir, 'photo.mp4');
  ffmpeg([
    '-loop',
    '1',
    '-framerate',
    '25',
    '-i',
    PHOTO,
    ...tone(3),
    '-vf',
    "scale=768:576,zoompan=z='1+on/150':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=640x480:fps=25",
    '-t',
    '3',
    ...h264,
    '-c:a',
    'aac',
    '-shortest',
    path,
  ]);
  return { path, durationSec: 3, width: 640, height: 480, audio: true };
}

export function audioOnly(dir: string): string {
  const path = join(dir, 'audio.m4a');
  ffmpeg([...tone(2), '-c:a', 'aac', path]);
  return path;
}

export const SECRET = 'vidp-secret-8d0b1f7a';

/** A local "secret" plus an HLS playlist pointing at it, named like a video. */
export async function hlsPlaylistAttack(dir: string): Promise<string> {
  const secret = join(dir, 'secret.txt');
  await writeFile(secret, `${SECRET}\n`);
  const path = join(dir, 'playlist.mp4');
  await writeFile(
    path,
    `#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile://${secret}\n#EXTINF:10.0,\n${secret}\n#EXT-X-ENDLIST\n`,
  );
  return path;
}

/** An ffconcat script, named like a video, listing a local file. */
export async function concatAttack(dir: string, target: string): Promise<string> {
  const secret = join(dir, 'secret.txt');
  await writeFile(secret, `${SECRET}\n`);
  const path = join(dir, 'concat.mp4');
  await writeFile(path, `ffconcat version 1.0\nfile '${target}'\nfile '${secret}'\n`);
  return path;
}

export const writeText = (path: string, text: string) => writeFile(path, text);
