import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@vidp/local-stack';

export interface BenchArgs {
  /** The checkout whose apps run (its `dist/`, components, Dapr config). */
  root: string;
  /** A second checkout measured in the same run, alternating with `root` (e.g. main). */
  against?: string;
  runs: number;
  /** Throughput mode: this many distinct uploads, `concurrency` of them at a time. */
  videos?: number;
  concurrency: number;
  seconds: number;
}

const USAGE = `npm run bench:e2e -- [--root DIR] [--against DIR] [--runs N] [--videos N --concurrency C] [--seconds S]
  --root DIR      the checkout to run (default: this one); it must have run npm ci
  --against DIR   another checkout measured in the same run, alternating (e.g. today's main)
  --runs N        rounds of "each task alone, then all four at once" (default 1)
  --videos N      throughput mode: N distinct uploads of the video, C at a time (default C = 2)
  --seconds S     length of the video (default 60; 720p, real speech and animals)`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      root: { type: 'string' },
      against: { type: 'string' },
      runs: { type: 'string', default: '1' },
      videos: { type: 'string' },
      concurrency: { type: 'string', default: '2' },
      seconds: { type: 'string', default: '60' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number >= ${min}\n${USAGE}`);
    return n;
  };
  return {
    root: resolve(values.root ?? repoRoot),
    ...(values.against ? { against: resolve(values.against) } : {}),
    runs: int('runs', values.runs, 1),
    ...(values.videos !== undefined ? { videos: int('videos', values.videos, 1) } : {}),
    concurrency: int('concurrency', values.concurrency, 1),
    seconds: int('seconds', values.seconds, 10),
  };
}
