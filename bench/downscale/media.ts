// Sources for the downscale benchmarks, generated once per machine and kept in the OS temp
// folder: real photographs (Debian's darknet data) panned and zoomed at 1080p with film-like
// grain, so the encoder sees real texture and noise, plus a tone for the audio track.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const cacheDir = join(tmpdir(), 'vidp-bench-downscale');

const PHOTOS = ['dog', 'horses', 'giraffe', 'eagle', 'kite'].map((p) => `/usr/share/darknet/data/${p}.jpg`);

/** A 1080p H.264/AAC source of `seconds`, 30 fps, ~12 Mbit/s like a good camera upload. */
export async function benchSource(seconds: number): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const path = join(cacheDir, `source-${seconds}s-1080p.mp4`);
  if (existsSync(path)) return path;
  const photos = PHOTOS.filter(existsSync);
  const per = seconds / Math.max(1, photos.length);
  const frames = Math.round(per * 30);
  const inputs = photos.length
    ? photos.flatMap((p) => ['-loop', '1', '-framerate', '30', '-t', String(per), '-i', p])
    : ['-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${seconds}`];
  const chains = photos.map(
    (_, i) =>
      `[${i}:v]scale=2400:1600:force_original_aspect_ratio=increase,crop=2400:1600,` +
      `zoompan=z='1+on/${frames * 2}':x='(iw-iw/zoom)*on/${frames}':y='ih/2-(ih/zoom/2)':d=1:s=1920x1080:fps=30,setsar=1[p${i}]`,
  );
  const graph = photos.length
    ? `${chains.join(';')};${photos.map((_, i) => `[p${i}]`).join('')}concat=n=${photos.length}:v=1:a=0,noise=alls=3:allf=t,format=yuv420p[v]`
    : '[0:v]noise=alls=3:allf=t,format=yuv420p[v]';
  const tmp = `${path}.part.mp4`;
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...inputs,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=330:sample_rate=48000:duration=${seconds}`,
    '-filter_complex',
    graph,
    '-map',
    '[v]',
    '-map',
    `${photos.length || 1}:a`,
    '-c:v',
    'libx264',
    '-preset',
    'fast',
    '-b:v',
    '12M',
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    '-t',
    String(seconds),
    '-movflags',
    '+faststart',
    tmp,
  ]);
  await rename(tmp, path);
  return path;
}
