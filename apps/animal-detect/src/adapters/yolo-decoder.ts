import type { RawDetection } from '../domain/analyze.js';

/**
 * Decodes the single output of YOLOv8-style exports (Ultralytics and the detectors trained
 * with it): `[1, 4 + classes, anchors]`, rows cx, cy, w, h in input pixels, then one score
 * per class (already sigmoid). Boxes below `minScore` are dropped; NMS comes later.
 */
export function decodeYolo(
  output: Float32Array,
  numClasses: number,
  minScore: number,
  inputSize: number,
): RawDetection[] {
  const rows = 4 + numClasses;
  const anchors = output.length / rows;
  if (!Number.isInteger(anchors))
    throw new Error(`output of ${output.length} values does not fit ${rows} rows`);
  const out: RawDetection[] = [];
  for (let a = 0; a < anchors; a++) {
    for (let c = 0; c < numClasses; c++) {
      const score = output[(4 + c) * anchors + a] as number;
      if (score < minScore) continue;
      const cx = output[a] as number;
      const cy = output[anchors + a] as number;
      const w = output[2 * anchors + a] as number;
      const h = output[3 * anchors + a] as number;
      out.push({
        classId: c,
        score,
        x1: Math.max(0, cx - w / 2),
        y1: Math.max(0, cy - h / 2),
        x2: Math.min(inputSize, cx + w / 2),
        y2: Math.min(inputSize, cy + h / 2),
      });
    }
  }
  return out;
}
