// A video with real speech and real animals, nobody's footage: Debian darknet photos (stills,
// pans, cuts) over JFK's inaugural line and LibriVox sentences (pocketsphinx-testdata),
// repeated to fill the picture's length. Used where a test or benchmark needs every task
// to do real work on the same file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runFfmpeg } from '@vidp/media';
import { JFK_WAV, librivox } from '../../packages/speech/test/fixtures.js';
import { renderVideo, type Segment, SIZE_360P, type VideoSize } from './animal-videos.js';

export interface RealVideoOptions extends Partial<VideoSize> {
  /** Frames per second of the picture (default 10). */
  fps?: number;
  segments: Segment[];
  /**
   * Written into the container's metadata: files that differ only by it have different bytes
   * (so uploads are not deduplicated) and identical content.
   */
  variant?: string;
}

const GAP_SEC = 0.8;

/** Renders the picture once per folder and size; muxes speech under it for each variant. */
export async function makeRealVideo(dir: string, name: string, o: RealVideoOptions): Promise<string> {
  const seconds = o.segments.reduce((s, seg) => s + seg.seconds, 0);
  const picture = join(dir, `picture-${o.width ?? 'w'}x${o.height ?? 'h'}-${seconds}s.mp4`);
  if (!existsSync(picture))
    await renderVideo(
      o.segments,
      picture,
      { width: o.width ?? SIZE_360P.width, height: o.height ?? SIZE_360P.height },
      o.fps,
    );
  const wavs = [JFK_WAV, ...librivox().map((u) => u.wav)];
  // Twice over: about 80 s of speech with pauses, cut to the picture's length.
  const inputs = [...wavs, ...wavs];
  const chains = inputs
    .map((_, i) => `[${i + 1}:a]aresample=16000,aformat=channel_layouts=mono,apad=pad_dur=${GAP_SEC}[a${i}]`)
    .join(';');
  const concat = `${inputs.map((_, i) => `[a${i}]`).join('')}concat=n=${inputs.length}:v=0:a=1,atrim=0:${seconds}[a]`;
  const out = join(dir, name);
  await runFfmpeg([
    '-i',
    `file:${picture}`,
    ...inputs.flatMap((w) => ['-i', `file:${w}`]),
    '-filter_complex',
    `${chains};${concat}`,
    '-map',
    '0:v',
    '-map',
    '[a]',
    '-c:v',
    'copy',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-t',
    String(seconds),
    '-metadata',
    `comment=${o.variant ?? 'vidp test video'}`,
    '-movflags',
    '+faststart',
    '-y',
    `file:${out}`,
  ]);
  return out;
}
