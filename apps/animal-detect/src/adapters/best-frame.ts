import { demuxerFlag, type MediaInfo, runFfmpeg } from '@vidp/media';
import type { Box } from '../domain/types.js';

/** Largest width of a best-frame picture (smaller videos keep their size). */
const MAX_WIDTH = 1280;

/**
 * Writes the frame at `timeSec` as a JPEG with `box` drawn on it, scaled down to at most
 * 1280 px wide: seeking, drawing and encoding all happen in ffmpeg.
 */
export async function writeBestFrame(
  videoPath: string,
  info: MediaInfo,
  timeSec: number,
  box: Box,
  outPath: string,
  signal?: AbortSignal,
): Promise<void> {
  const v = info.video;
  if (!v) throw new Error('no video stream');
  const w = v.displayWidth;
  const h = v.displayHeight;
  const thickness = Math.max(2, Math.round(Math.min(w, h) / 160));
  const bx = Math.round(box.x * w);
  const by = Math.round(box.y * h);
  const bw = Math.max(thickness * 2, Math.round(box.w * w));
  const bh = Math.max(thickness * 2, Math.round(box.h * h));
  await runFfmpeg(
    [
      '-ss',
      timeSec.toFixed(3),
      '-f',
      demuxerFlag(info),
      '-i',
      `file:${videoPath}`,
      '-map',
      '0:v:0',
      '-frames:v',
      '1',
      '-vf',
      `drawbox=x=${bx}:y=${by}:w=${bw}:h=${bh}:color=red@0.9:t=${thickness},scale='min(${MAX_WIDTH},iw)':-2`,
      '-q:v',
      '3',
      '-f',
      'mjpeg',
      '-y',
      `file:${outPath}`,
    ],
    { ...(signal ? { signal } : {}), timeoutMs: 120_000 },
  );
}
