import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dogSpeechVideo } from './dog-speech-video.js';
import { LAB_DIR } from './lab.js';

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
  dogSpeechVideo(`${out}.tmp.mp4`, { width: 1280, fps: 25, seconds, tag: name });
  execFileSync('mv', [`${out}.tmp.mp4`, out]);
  return out;
}
