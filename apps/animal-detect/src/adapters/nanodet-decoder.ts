import type { RawDetection } from '../domain/analyze.js';

/** One output level of a NanoDet head: per-cell class scores and box distributions. */
export interface NanoDetLevel {
  stride: number;
  /** [cells, classes], sigmoid scores. */
  scores: Float32Array;
  /** [cells, 4 * (regMax + 1)]: left, top, right, bottom distance distributions (logits). */
  distances: Float32Array;
}

/**
 * Decodes NanoDet's GFL head: for each cell and class scoring at least `minScore`, the four
 * side distances are the expectation of a softmax over `regMax + 1` bins, in stride units,
 * measured from the cell's corner (as the NanoDet exports place their centres).
 */
export function decodeNanoDet(
  levels: readonly NanoDetLevel[],
  inputSize: number,
  numClasses: number,
  minScore: number,
): RawDetection[] {
  const out: RawDetection[] = [];
  for (const level of levels) {
    const grid = Math.round(inputSize / level.stride);
    const cells = level.scores.length / numClasses;
    const bins = level.distances.length / cells / 4;
    for (let i = 0; i < cells; i++) {
      let sides: number[] | undefined;
      for (let c = 0; c < numClasses; c++) {
        const score = level.scores[i * numClasses + c] as number;
        if (score < minScore) continue;
        sides ??= [0, 1, 2, 3].map(
          (s) => expectation(level.distances, (i * 4 + s) * bins, bins) * level.stride,
        );
        const cx = (i % grid) * level.stride;
        const cy = Math.floor(i / grid) * level.stride;
        out.push({
          classId: c,
          score,
          x1: Math.max(0, cx - (sides[0] as number)),
          y1: Math.max(0, cy - (sides[1] as number)),
          x2: Math.min(inputSize, cx + (sides[2] as number)),
          y2: Math.min(inputSize, cy + (sides[3] as number)),
        });
      }
    }
  }
  return out;
}

function expectation(logits: Float32Array, offset: number, bins: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let b = 0; b < bins; b++) max = Math.max(max, logits[offset + b] as number);
  let sum = 0;
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    const e = Math.exp((logits[offset + b] as number) - max);
    sum += e;
    acc += e * b;
  }
  return acc / sum;
}
