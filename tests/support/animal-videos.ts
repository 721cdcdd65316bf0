// Test videos made from real photos no one here took: the sample images of Debian's
// `darknet` package (dog, horses, giraffe with zebra, eagle, person with dog and horse, kites).
// Each segment is a still or a pan over one photo; the segments are joined by hard cuts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runFfmpeg } from '@vidp/media';

export const DARKNET_IMAGES = '/usr/share/darknet/data';

export interface Segment {
  image: string;
  seconds: number;
  motion: 'still' | 'pan';
  /** The animals a viewer sees in this segment (COCO names). */
  animals: string[];
}

export const WIDTH = 480;
export const HEIGHT = 360;

export function darknetAvailable(): boolean {
  return existsSync(join(DARKNET_IMAGES, 'dog.jpg'));
}

function segmentFilter(k: number, s: Segment): string {
  if (s.motion === 'still') {
    return (
      `[${k}:v]scale=${WIDTH}:${HEIGHT}:force_original_aspect_ratio=decrease,` +
      `pad=${WIDTH}:${HEIGHT}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=10,format=yuv420p[v${k}]`
    );
  }
  // A slow pan across the photo, scaled to cover 1.4 times the frame.
  const w = Math.round(WIDTH * 1.4);
  const h = Math.round(HEIGHT * 1.4);
  return (
    `[${k}:v]scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${WIDTH}:${HEIGHT}:x='(iw-${WIDTH})*t/${s.seconds}':y='(ih-${HEIGHT})*t/${s.seconds}',` +
    `setsar=1,fps=10,format=yuv420p[v${k}]`
  );
}

/** Renders the segments into one small H.264 MP4 (10 fps, 640x360). */
export async function renderVideo(segments: Segment[], out: string): Promise<void> {
  const inputs = segments.flatMap((s) => [
    '-loop',
    '1',
    '-t',
    String(s.seconds),
    '-i',
    `file:${join(DARKNET_IMAGES, s.image)}`,
  ]);
  const filters = segments.map((s, k) => segmentFilter(k, s));
  const concat = `${segments.map((_, k) => `[v${k}]`).join('')}concat=n=${segments.length}:v=1:a=0[out]`;
  await runFfmpeg([
    ...inputs,
    '-filter_complex',
    [...filters, concat].join(';'),
    '-map',
    '[out]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '26',
    '-g',
    '20',
    '-movflags',
    '+faststart',
    '-y',
    out,
  ]);
}

/** The ground truth of a rendered video: each segment's time span and animals. */
export function labelledSegments(
  segments: Segment[],
): { startSec: number; endSec: number; species: string[] }[] {
  let t = 0;
  return segments.map((s) => {
    const seg = { startSec: t, endSec: t + s.seconds, species: s.animals };
    t += s.seconds;
    return seg;
  });
}
