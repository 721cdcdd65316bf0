import type { Box } from './types.js';

/** Where a picture of `width` x `height` lands when fitted into a `size` x `size` square. */
export interface Letterbox {
  size: number;
  scaleWidth: number;
  scaleHeight: number;
  padX: number;
  padY: number;
}

export function letterbox(width: number, height: number, size: number): Letterbox {
  const scale = Math.min(size / width, size / height);
  const scaleWidth = Math.max(2, Math.min(size, Math.round(width * scale)));
  const scaleHeight = Math.max(2, Math.min(size, Math.round(height * scale)));
  return {
    size,
    scaleWidth,
    scaleHeight,
    padX: Math.floor((size - scaleWidth) / 2),
    padY: Math.floor((size - scaleHeight) / 2),
  };
}

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));

/** Maps a box in model-input pixels (x1, y1, x2, y2) back to the normalised picture. */
export function unletterbox(lb: Letterbox, x1: number, y1: number, x2: number, y2: number): Box {
  const nx1 = clamp01((x1 - lb.padX) / lb.scaleWidth);
  const ny1 = clamp01((y1 - lb.padY) / lb.scaleHeight);
  const nx2 = clamp01((x2 - lb.padX) / lb.scaleWidth);
  const ny2 = clamp01((y2 - lb.padY) / lb.scaleHeight);
  return { x: nx1, y: ny1, w: Math.max(0, nx2 - nx1), h: Math.max(0, ny2 - ny1) };
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}
