import { execFileSync } from 'node:child_process';

/** Where a photo lands in a detector's square input (animal-detect's `letterbox`). */
export interface PhotoLetterbox {
  size: number;
  scaleWidth: number;
  scaleHeight: number;
  padX: number;
  padY: number;
}

/**
 * A still photo decoded by ffmpeg into a letterboxed size x size packed RGB frame, as
 * animal-detect feeds its detector (for tests and benches on single photos).
 */
export function letterboxedPhoto(path: string, lb: PhotoLetterbox): Buffer {
  return execFileSync(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-i',
      path,
      '-vf',
      `scale=${lb.scaleWidth}:${lb.scaleHeight},pad=${lb.size}:${lb.size}:${lb.padX}:${lb.padY},format=rgb24`,
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    { maxBuffer: 8 * 1024 * 1024 },
  );
}
