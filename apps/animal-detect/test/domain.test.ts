import { describe, expect, it } from 'vitest';
import { iou, letterbox, unletterbox } from '../src/domain/geometry.js';
import { classwiseNms } from '../src/domain/nms.js';

const box = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });

describe('letterbox geometry', () => {
  it('fits a 16:9 picture into the square, centred, and maps boxes back', () => {
    const lb = letterbox(1920, 1080, 416);
    expect(lb).toEqual({ size: 416, scaleWidth: 416, scaleHeight: 234, padX: 0, padY: 91 });
    const b = unletterbox(lb, 104, 91, 312, 208);
    expect(b.x).toBeCloseTo(0.25);
    expect(b.y).toBeCloseTo(0);
    expect(b.w).toBeCloseTo(0.5);
    expect(b.h).toBeCloseTo(0.5);
  });

  it('clamps boxes reaching into the padding', () => {
    const lb = letterbox(300, 600, 416);
    expect(lb.padX).toBe(104);
    const b = unletterbox(lb, 0, 0, 416, 416);
    expect(b).toEqual({ x: 0, y: 0, w: 1, h: 1 });
  });

  it('computes intersection over union', () => {
    expect(iou(box(0, 0, 1, 1), box(0, 0, 1, 1))).toBe(1);
    expect(iou(box(0, 0, 0.5, 1), box(0.5, 0, 0.5, 1))).toBe(0);
    expect(iou(box(0, 0, 1, 1), box(0.5, 0, 1, 1))).toBeCloseTo(1 / 3);
  });
});

describe('class-wise NMS', () => {
  it('drops overlapping boxes of one class, keeps the best, never suppresses across classes', () => {
    const kept = classwiseNms([
      { classId: 16, score: 0.6, box: box(0.1, 0.1, 0.3, 0.3) },
      { classId: 16, score: 0.9, box: box(0.11, 0.1, 0.3, 0.3) },
      { classId: 17, score: 0.5, box: box(0.1, 0.1, 0.3, 0.3) },
      { classId: 16, score: 0.7, box: box(0.6, 0.6, 0.3, 0.3) },
    ]);
    expect(kept.map((k) => [k.classId, k.score])).toEqual([
      [16, 0.9],
      [16, 0.7],
      [17, 0.5],
    ]);
  });
});
