import type { Region } from './sampling.js';
import type { Box } from './types.js';

const GRID = 16;

/**
 * How sharp each part of a picture is: the mean absolute Laplacian of luma (0..1) in each
 * cell of a 16 x 16 grid over the picture area of a packed RGB frame. Computed before the
 * frame goes to the detector, so any box it returns can be rated without the pixels.
 */
export function sharpnessGrid(rgb: Uint8Array, width: number, region: Region): Float32Array {
  const sums = new Float32Array(GRID * GRID);
  const counts = new Uint32Array(GRID * GRID);
  const luma = (x: number, y: number) => {
    const p = ((region.y + y) * width + region.x + x) * 3;
    return 0.299 * (rgb[p] as number) + 0.587 * (rgb[p + 1] as number) + 0.114 * (rgb[p + 2] as number);
  };
  for (let y = 1; y < region.h - 1; y++) {
    const cy = Math.min(GRID - 1, Math.floor((y * GRID) / region.h));
    for (let x = 1; x < region.w - 1; x++) {
      const lap = 4 * luma(x, y) - luma(x - 1, y) - luma(x + 1, y) - luma(x, y - 1) - luma(x, y + 1);
      const cell = cy * GRID + Math.min(GRID - 1, Math.floor((x * GRID) / region.w));
      sums[cell] = (sums[cell] as number) + Math.abs(lap);
      counts[cell] = (counts[cell] as number) + 1;
    }
  }
  for (let k = 0; k < sums.length; k++)
    sums[k] = (sums[k] as number) / Math.max(1, counts[k] as number) / 255;
  return sums;
}

/** The mean sharpness of the grid cells a box (normalised picture coordinates) covers. */
export function boxSharpness(grid: Float32Array, box: Box): number {
  const x0 = Math.max(0, Math.min(GRID - 1, Math.floor(box.x * GRID)));
  const y0 = Math.max(0, Math.min(GRID - 1, Math.floor(box.y * GRID)));
  const x1 = Math.max(x0, Math.min(GRID - 1, Math.ceil((box.x + box.w) * GRID) - 1));
  const y1 = Math.max(y0, Math.min(GRID - 1, Math.ceil((box.y + box.h) * GRID) - 1));
  let sum = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) sum += grid[y * GRID + x] as number;
  return sum / ((x1 - x0 + 1) * (y1 - y0 + 1));
}
