// Test videos made from real photos no one here took: the sample images of Debian's
// `darknet` package (dog, horses, giraffe with zebra, eagle, person with dog and horse, kites).
// Each segment shows one photo still, panned or zoomed; segments are joined by hard cuts.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runFfmpeg } from '@vidp/media';

export const DARKNET_IMAGES = '/usr/share/darknet/data';

export interface Segment {
  image: string;
  seconds: number;
  /** `still`: the whole photo, letterboxed; `pan`: a slow diagonal pan; `zoom`: a slow zoom in. */
  motion: 'still' | 'pan' | 'zoom';
  /** The animals a viewer sees in this segment (COCO names). */
  animals: string[];
  /** Animals that leave the picture during the segment: reporting them is neither right nor wrong. */
  maybe?: string[];
  /** Where a zoom goes (0..1 of the photo's free margin, default the centre). */
  focus?: { x: number; y: number };
}

export interface VideoSize {
  width: number;
  height: number;
}

export const SIZE_360P: VideoSize = { width: 640, height: 360 };
export const SIZE_720P: VideoSize = { width: 1280, height: 720 };

const FPS = 10;

/** 60 s of stills, pans and cuts over the photos (the end-to-end benchmark's picture). */
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

export function darknetAvailable(): boolean {
  return existsSync(join(DARKNET_IMAGES, 'dog.jpg'));
}

function segmentFilter(k: number, s: Segment, { width: W, height: H }: VideoSize, fps = FPS): string {
  if (s.motion === 'still') {
    return (
      `[${k}:v]scale=${W}:${H}:force_original_aspect_ratio=decrease,` +
      `pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v${k}]`
    );
  }
  const frames = Math.round(s.seconds * fps);
  if (s.motion === 'pan') {
    // Scaled to cover 1.25 times the frame, then panned from top-left to bottom-right.
    const w = Math.round(W * 1.25);
    const h = Math.round(H * 1.25);
    return (
      `[${k}:v]scale=${w}:${h}:force_original_aspect_ratio=increase,` +
      `crop=${W}:${H}:x='(iw-${W})*n/${frames}':y='(ih-${H})*n/${frames}',setsar=1,format=yuv420p[v${k}]`
    );
  }
  // Zoom in from the whole (covering) picture to 1.6x, towards the focus.
  const fx = s.focus?.x ?? 0.5;
  const fy = s.focus?.y ?? 0.5;
  return (
    `[${k}:v]scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},` +
    `zoompan=z='1+0.6*on/${frames}':x='(iw-iw/zoom)*${fx}':y='(ih-ih/zoom)*${fy}':d=1:s=${W}x${H}:fps=${fps},` +
    `setsar=1,format=yuv420p[v${k}]`
  );
}

/** Renders the segments into one H.264 MP4 (10 frames/s at 360p unless told). */
export async function renderVideo(
  segments: Segment[],
  out: string,
  size: VideoSize = SIZE_360P,
  fps = FPS,
): Promise<void> {
  const inputs = segments.flatMap((s) => [
    '-loop',
    '1',
    '-framerate',
    String(fps),
    '-t',
    String(s.seconds),
    '-i',
    `file:${join(DARKNET_IMAGES, s.image)}`,
  ]);
  const filters = segments.map((s, k) => segmentFilter(k, s, size, fps));
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
    '-threads',
    '2',
    '-movflags',
    '+faststart',
    '-y',
    out,
  ]);
}

/**
 * The video of `segments` at `size`, rendered once and kept outside git (keyed by the segments,
 * the size and this file's rendering settings): rendering a minute of zooms and pans costs
 * about a minute of CPU on a busy 2-core machine, reading it back nothing.
 */
export async function cachedVideo(segments: Segment[], size: VideoSize = SIZE_360P): Promise<string> {
  const cache = join(
    process.env.VIDP_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vidp'),
    'test-media',
  );
  const key = createHash('sha256')
    .update(
      JSON.stringify({ v: 1, segments, size, filters: segments.map((s, k) => segmentFilter(k, s, size)) }),
    )
    .digest('hex')
    .slice(0, 16);
  const path = join(cache, `darknet-${size.height}p-${key}.mp4`);
  if (existsSync(path)) return path;
  await mkdir(cache, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp.mp4`;
  await renderVideo(segments, tmp, size);
  await rename(tmp, path);
  return path;
}

/** The ground truth of a rendered video: each segment's time span and animals. */
export function labelledSegments(
  segments: Segment[],
): { startSec: number; endSec: number; species: string[]; maybe: string[] }[] {
  let t = 0;
  return segments.map((s) => {
    const seg = { startSec: t, endSec: t + s.seconds, species: s.animals, maybe: s.maybe ?? [] };
    t += s.seconds;
    return seg;
  });
}

/**
 * The evaluation video: every darknet photo with an animal (dog, horses, giraffe with a zebra,
 * eagle, a person with a dog and a horse) and the kites (people on a beach, no animal) shown
 * still, panned and zoomed, each shot cut from the last, and a painting with no animal.
 * About a minute; made at 360p and 720p.
 */
export const EVALUATION: Segment[] = [
  { image: 'dog.jpg', seconds: 3, motion: 'still', animals: ['dog'] },
  { image: 'horses.jpg', seconds: 3, motion: 'pan', animals: ['horse'] },
  { image: 'kite.jpg', seconds: 3, motion: 'still', animals: [] },
  { image: 'giraffe.jpg', seconds: 3, motion: 'zoom', animals: ['giraffe', 'zebra'] },
  { image: 'eagle.jpg', seconds: 3, motion: 'pan', animals: ['bird'] },
  { image: 'person.jpg', seconds: 3, motion: 'still', animals: ['dog', 'horse'] },
  { image: 'scream.jpg', seconds: 3, motion: 'still', animals: [] },
  { image: 'horses.jpg', seconds: 3, motion: 'zoom', animals: ['horse'] },
  { image: 'dog.jpg', seconds: 3, motion: 'pan', animals: ['dog'] },
  { image: 'giraffe.jpg', seconds: 3, motion: 'still', animals: ['giraffe', 'zebra'] },
  { image: 'kite.jpg', seconds: 3, motion: 'pan', animals: [] },
  { image: 'eagle.jpg', seconds: 3, motion: 'zoom', animals: ['bird'] },
  {
    image: 'person.jpg',
    seconds: 3,
    motion: 'zoom',
    animals: ['horse'],
    maybe: ['dog'],
    focus: { x: 0.9, y: 0.6 },
  },
  { image: 'horses.jpg', seconds: 3, motion: 'still', animals: ['horse'] },
  { image: 'giraffe.jpg', seconds: 3, motion: 'pan', animals: ['giraffe', 'zebra'] },
  { image: 'kite.jpg', seconds: 3, motion: 'zoom', animals: [] },
  { image: 'dog.jpg', seconds: 3, motion: 'zoom', animals: ['dog'], focus: { x: 0.3, y: 0.6 } },
  { image: 'eagle.jpg', seconds: 3, motion: 'still', animals: ['bird'] },
  { image: 'person.jpg', seconds: 3, motion: 'pan', animals: ['dog', 'horse'] },
];
