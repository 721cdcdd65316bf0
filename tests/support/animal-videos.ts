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

/** 60 s of stills, pans and cuts over every photo (the animal and end-to-end benchmarks). */
export const SIXTY_SECONDS: Segment[] = [
  { image: 'dog.jpg', seconds: 6, motion: 'still', animals: ['dog'] },
  { image: 'kite.jpg', seconds: 5, motion: 'still', animals: [] },
  { image: 'horses.jpg', seconds: 8, motion: 'pan', animals: ['horse'] },
  { image: 'giraffe.jpg', seconds: 5, motion: 'still', animals: ['giraffe', 'zebra'] },
  { image: 'person.jpg', seconds: 6, motion: 'still', animals: ['dog', 'horse'] },
  { image: 'scream.jpg', seconds: 5, motion: 'still', animals: [] },
  { image: 'giraffe.jpg', seconds: 6, motion: 'pan', animals: ['giraffe', 'zebra'] },
  { image: 'dog.jpg', seconds: 6, motion: 'pan', animals: ['dog'] },
  { image: 'kite.jpg', seconds: 5, motion: 'pan', animals: [] },
  { image: 'eagle.jpg', seconds: 4, motion: 'still', animals: ['bird'] },
  { image: 'horses.jpg', seconds: 4, motion: 'still', animals: ['horse'] },
];

export interface RenderOptions {
  width?: number;
  height?: number;
  fps?: number;
}

function segmentFilter(k: number, s: Segment, o: Required<RenderOptions>): string {
  const { width: W, height: H, fps } = o;
  if (s.motion === 'still') {
    return (
      `[${k}:v]scale=${W}:${H}:force_original_aspect_ratio=decrease,` +
      `pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps},format=yuv420p[v${k}]`
    );
  }
  // A slow pan across the photo, scaled to cover 1.4 times the frame.
  const w = Math.round(W * 1.4);
  const h = Math.round(H * 1.4);
  return (
    `[${k}:v]scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${W}:${H}:x='(iw-${W})*t/${s.seconds}':y='(ih-${H})*t/${s.seconds}',` +
    `setsar=1,fps=${fps},format=yuv420p[v${k}]`
  );
}

/** Renders the segments into one H.264 MP4 (default 480x360 at 10 fps). */
export async function renderVideo(segments: Segment[], out: string, opts: RenderOptions = {}): Promise<void> {
  const o = { width: WIDTH, height: HEIGHT, fps: 10, ...opts };
  const inputs = segments.flatMap((s) => [
    '-loop',
    '1',
    '-t',
    String(s.seconds),
    '-i',
    `file:${join(DARKNET_IMAGES, s.image)}`,
  ]);
  const filters = segments.map((s, k) => segmentFilter(k, s, o));
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
