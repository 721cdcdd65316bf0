import type { Letterbox } from './geometry.js';
import type { Box } from './types.js';

/** How much picture around the box a crop keeps (a share of its longer side, all round). */
export const CROP_MARGIN = 0.15;
/** What fills a crop beyond the picture: mid grey, nothing to a classifier normalised around 127. */
const FILL = 127;

/**
 * A square crop around a box, resized to `out` x `out` packed RGB, as an ImageNet classifier
 * wants it: the animal whole and undistorted (the square's side is the box's longer side plus
 * a margin), centred, with a little of its surroundings. `frame` is the letterboxed frame the
 * detector saw (`lb.size` x `lb.size` RGB) and `box` is in normalised picture coordinates.
 * Bilinear sampling; pixels beyond the picture are grey.
 */
export function squareCrop(
  frame: Uint8Array,
  lb: Letterbox,
  box: Box,
  out: number,
  margin = CROP_MARGIN,
): Uint8Array {
  const x1 = lb.padX + box.x * lb.scaleWidth;
  const y1 = lb.padY + box.y * lb.scaleHeight;
  const w = box.w * lb.scaleWidth;
  const h = box.h * lb.scaleHeight;
  const side = Math.max(w, h) * (1 + 2 * margin);
  const left = x1 + w / 2 - side / 2;
  const top = y1 + h / 2 - side / 2;
  const step = side / out;
  const minX = lb.padX;
  const minY = lb.padY;
  const maxX = lb.padX + lb.scaleWidth - 1;
  const maxY = lb.padY + lb.scaleHeight - 1;
  const crop = new Uint8Array(out * out * 3);
  for (let j = 0; j < out; j++) {
    const sy = top + (j + 0.5) * step - 0.5;
    for (let i = 0; i < out; i++) {
      const sx = left + (i + 0.5) * step - 0.5;
      const o = (j * out + i) * 3;
      if (sx < minX - 0.5 || sx > maxX + 0.5 || sy < minY - 0.5 || sy > maxY + 0.5) {
        crop[o] = FILL;
        crop[o + 1] = FILL;
        crop[o + 2] = FILL;
        continue;
      }
      const cx = Math.min(maxX, Math.max(minX, sx));
      const cy = Math.min(maxY, Math.max(minY, sy));
      const x0 = Math.floor(cx);
      const y0 = Math.floor(cy);
      const xa = Math.min(maxX, x0 + 1);
      const ya = Math.min(maxY, y0 + 1);
      const fx = cx - x0;
      const fy = cy - y0;
      const p00 = (y0 * lb.size + x0) * 3;
      const p01 = (y0 * lb.size + xa) * 3;
      const p10 = (ya * lb.size + x0) * 3;
      const p11 = (ya * lb.size + xa) * 3;
      for (let c = 0; c < 3; c++) {
        const top2 = (frame[p00 + c] as number) * (1 - fx) + (frame[p01 + c] as number) * fx;
        const bottom = (frame[p10 + c] as number) * (1 - fx) + (frame[p11 + c] as number) * fx;
        crop[o + c] = Math.round(top2 * (1 - fy) + bottom * fy);
      }
    }
  }
  return crop;
}
