import { describe, expect, it } from 'vitest';
import { buildAppearances } from '../src/domain/appearances.js';
import { scoreAppearances } from '../src/domain/evaluation.js';
import { iou, letterbox, unletterbox } from '../src/domain/geometry.js';
import { classwiseNms } from '../src/domain/nms.js';
import type { FrameResult } from '../src/domain/types.js';

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

const frame = (timeSec: number, ...detections: [string, number][]): FrameResult => ({
  frameIndex: Math.round(timeSec * 4),
  timeSec,
  reason: 'base',
  detections: detections.map(([species, confidence]) => ({
    species,
    confidence,
    box: box(0.1, 0.1, 0.2, 0.2),
  })),
});

describe('appearances', () => {
  it('lets each inferred frame stand until the next one, merges small gaps, keeps the peak and best frame', () => {
    const frames = [
      frame(0, ['dog', 0.5]),
      frame(2, ['dog', 0.8]),
      frame(4),
      frame(5, ['dog', 0.6], ['bird', 0.4]),
      frame(9),
      frame(12, ['dog', 0.45]),
    ];
    const [dog, bird] = buildAppearances(frames, 14, 1.5);
    expect(dog?.species).toBe('dog');
    // 0-4 and 5-9 merge across the 1 s gap; 12-14 stays apart (gap of 3 s).
    expect(dog?.ranges).toEqual([
      { startSec: 0, endSec: 9, peakConfidence: 0.8 },
      { startSec: 12, endSec: 14, peakConfidence: 0.45 },
    ]);
    expect(dog?.totalSec).toBe(11);
    expect(dog?.frames).toBe(4);
    expect(dog?.best.timeSec).toBe(2);
    expect(dog?.best.confidence).toBe(0.8);
    expect(bird?.ranges).toEqual([{ startSec: 5, endSec: 9, peakConfidence: 0.4 }]);
  });

  it('reports nothing for frames without detections', () => {
    expect(buildAppearances([frame(0), frame(1)], 2, 1)).toEqual([]);
  });
});

describe('precision and recall of appearances', () => {
  it('scores each labelled segment: half coverage counts as reported', () => {
    const found = buildAppearances(
      [frame(0, ['dog', 0.7]), frame(4), frame(8, ['horse', 0.6], ['cow', 0.5]), frame(11, ['horse', 0.6])],
      12,
      0,
    );
    const score = scoreAppearances(found, [
      { startSec: 0, endSec: 4, species: ['dog'] },
      { startSec: 4, endSec: 8, species: [] },
      { startSec: 8, endSec: 12, species: ['horse', 'zebra'] },
    ]);
    expect(score.truePositives).toBe(2);
    expect(score.unexpected).toEqual(['cow@8-12s']);
    expect(score.missed).toEqual(['zebra@8-12s']);
    expect(score.precision).toBeCloseTo(2 / 3);
    expect(score.recall).toBeCloseTo(2 / 3);
  });
});
