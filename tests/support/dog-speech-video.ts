import { execFileSync } from 'node:child_process';
import { JFK_WAV } from '../../packages/speech/test/fixtures.js';
import { DARKNET_IMAGES } from './animal-videos.js';

export interface DogSpeechOptions {
  width: number;
  fps: number;
  /** Longer than the speech (11 s) loops the audio; 0 ends with the speech. */
  seconds?: number;
  /** Written as the file's comment: a different tag gives different bytes (no dedupe). */
  tag?: string;
}

/** A real video: Darknet's photo of a dog over JFK's real speech, H.264/AAC, written to `out`. */
export function dogSpeechVideo(out: string, o: DogSpeechOptions): string {
  const seconds = o.seconds ?? 0;
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-loop',
    '1',
    '-framerate',
    String(o.fps),
    '-i',
    `${DARKNET_IMAGES}/dog.jpg`,
    ...(seconds ? ['-stream_loop', '-1'] : []),
    '-i',
    JFK_WAV,
    '-vf',
    `scale=${o.width}:-2`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    ...(seconds ? ['-t', String(seconds)] : ['-shortest']),
    ...(o.tag ? ['-metadata', `comment=${o.tag}`] : []),
    '-f',
    'mp4',
    out,
  ]);
  return out;
}
