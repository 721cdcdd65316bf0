import { iou } from './geometry.js';
import type { ScoredBox } from './types.js';

/**
 * Class-wise non-maximum suppression: within each class, keeps the best-scoring box and drops
 * those overlapping it by more than `iouThreshold`; boxes of different classes never suppress
 * each other. Returns the kept candidates, best first, at most `maxPerClass` per class.
 */
export function classwiseNms(
  candidates: readonly ScoredBox[],
  iouThreshold = 0.5,
  maxPerClass = 20,
): ScoredBox[] {
  const byClass = new Map<number, ScoredBox[]>();
  for (const c of candidates) {
    const list = byClass.get(c.classId) ?? [];
    list.push(c);
    byClass.set(c.classId, list);
  }
  const kept: ScoredBox[] = [];
  for (const list of byClass.values()) {
    list.sort((a, b) => b.score - a.score);
    const keep: ScoredBox[] = [];
    for (const c of list) {
      if (keep.length >= maxPerClass) break;
      if (keep.every((k) => iou(k.box, c.box) <= iouThreshold)) keep.push(c);
    }
    kept.push(...keep);
  }
  return kept.sort((a, b) => b.score - a.score);
}
