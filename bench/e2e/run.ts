// bench/e2e: one 720p video with real speech (JFK, LibriVox) and real animals (darknet
// photos) through the whole platform, every task real. Each round runs each task alone, one
// after another (the baseline), then all four at once on a fresh upload of the same content,
// and prints each task's wall time, end to end, the sum of the tasks one after another and the
// ratio (target: end to end <= 0.6 of the sum), media-seconds per second, the time from
// upload to subtitles done, and the peak RSS of every process.
//   npm run bench:e2e -- [--runs N] [--root DIR] [--against DIR] [--videos N --concurrency C]
// --against runs a second checkout (say today's main) in the same run, alternating with
// --root, and prints the ratio of their figures.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '@vidp/local-stack';
import { type Segment, SIXTY_SECONDS } from '../../tests/support/animal-videos.js';
import { makeRealVideo } from '../../tests/support/real-video.js';
import { median, printTable } from '../lib/report.js';
import { parseBenchArgs } from './args.js';
import { cpuUsed, stackCpu } from './cpu.js';
import {
  buildCheckout,
  type Outcome,
  peakRss,
  runVideo,
  startPlatform,
  TASKS,
  type Task,
} from './platform.js';

const args = parseBenchArgs(process.argv.slice(2));
const sec = (ms: number) => Number((ms / 1000).toFixed(1));

/** The 60 s picture, cut (or repeated) to the asked length. */
function segments(seconds: number): Segment[] {
  const out: Segment[] = [];
  let left = seconds;
  for (let i = 0; left > 0; i++) {
    const s = SIXTY_SECONDS[i % SIXTY_SECONDS.length] as Segment;
    out.push({ ...s, seconds: Math.min(s.seconds, left) });
    left -= s.seconds;
  }
  return out;
}

const dir = await mkdtemp(join(tmpdir(), 'vidp-bench-e2e-'));
const media = join(dir, 'media');
await mkdir(media);
let variants = 0;
/** The same content with different bytes each time, so no upload is a duplicate. */
const video = () =>
  makeRealVideo(media, `v${variants}.mp4`, {
    segments: segments(args.seconds),
    width: 1280,
    height: 720,
    fps: 25,
    variant: `bench-${process.pid}-${variants++}`,
  });

interface Round {
  alone: Partial<Record<Task, number>>;
  /** CPU-seconds the whole stack used while each task ran alone (its video's upload to end). */
  aloneCpu: Partial<Record<Task, number>>;
  together: Outcome;
  /** CPU-seconds of each process (all five sidecars as one) while all four ran at once. */
  togetherCpu: Record<string, number>;
}

async function round(stack: Stack): Promise<Round> {
  const alone: Round['alone'] = {};
  const aloneCpu: Round['aloneCpu'] = {};
  for (const t of TASKS) {
    const file = await video();
    const cpu = await stackCpu(stack);
    // Subtitles alone get the language langscale gives them in the full run.
    const o = await runVideo(stack, file, {
      tasks: t,
      ...(t === 'subtitle' ? { language: 'en' } : {}),
    });
    aloneCpu[t] = cpuUsed(cpu, await stackCpu(stack)).total;
    alone[t] = o.taskMs[t] as number;
  }
  const file = await video();
  const cpu = await stackCpu(stack);
  const together = await runVideo(stack, file);
  return { alone, aloneCpu, together, togetherCpu: cpuUsed(cpu, await stackCpu(stack)).by };
}

function report(label: string, rounds: Round[]) {
  const med = (f: (r: Round) => number) => median(rounds.map(f));
  const sum = med((r) => TASKS.reduce((s, t) => s + (r.alone[t] ?? 0), 0));
  const e2e = med((r) => r.together.endToEndMs);
  printTable(
    `${label}: ${args.seconds} s 720p video, ${rounds.length} round(s), medians (seconds)`,
    TASKS.map((t) => ({
      task: t,
      'alone s': sec(med((r) => r.alone[t] ?? 0)),
      'alone CPU-s': Number(med((r) => r.aloneCpu[t] ?? 0).toFixed(1)),
      'in the full run s': sec(med((r) => r.together.taskMs[t] ?? 0)),
      'upload to done s': sec(med((r) => r.together.untilDoneMs[t] ?? 0)),
    })),
  );
  const subtitles = med((r) => r.together.untilDoneMs.subtitle ?? 0);
  console.log(`sum of the tasks one after another: ${sec(sum)} s`);
  console.log(`end to end, all four at once:       ${sec(e2e)} s`);
  console.log(`end to end / sum: ${(e2e / sum).toFixed(2)} (target <= 0.6)`);
  // What the cores allow: all four at once cannot end before their CPU time over the cores.
  const cores = availableParallelism();
  const cpuAlone = med((r) => TASKS.reduce((s, t) => s + (r.aloneCpu[t] ?? 0), 0));
  const floor = (cpuAlone / cores) * 1000;
  const together = (r: Round) => Object.values(r.togetherCpu).reduce((a, b) => a + b, 0);
  console.log(
    `CPU-seconds: the four alone ${cpuAlone.toFixed(1)}, all four at once ${med(together).toFixed(1)}`,
  );
  console.log(
    `lowest end to end ${cores} cores allow (CPU alone / cores): ${sec(floor)} s, ratio ${(floor / sum).toFixed(2)}`,
  );
  console.log(`media-seconds per second: ${(args.seconds / (e2e / 1000)).toFixed(2)}`);
  console.log(`upload to subtitles done: ${sec(subtitles)} s`);
  const names = Object.keys(rounds[0]?.togetherCpu ?? {});
  printTable(
    `${label}: CPU-seconds of each process while all four ran at once (median)`,
    names.map((process) => ({
      process,
      'CPU-s': Number(med((r) => r.togetherCpu[process] ?? 0).toFixed(1)),
    })),
  );
  return { e2e, sum, subtitles };
}

async function throughput(label: string, stack: Stack, n: number, c: number) {
  const files: string[] = [];
  for (let i = 0; i < n; i++) files.push(await video());
  const started = Date.now();
  const done: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(c, n) }, async () => {
      while (next < n) done.push(await runVideo(stack, files[next++] as string));
    }),
  );
  const wallSec = (Date.now() - started) / 1000;
  const times = done.map((o) => o.endToEndMs).sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? 0;
  console.log(`\n${label}: ${n} videos of ${args.seconds} s, ${c} at a time, in ${wallSec.toFixed(1)} s`);
  console.log(
    `throughput: ${((n / wallSec) * 60).toFixed(2)} videos/min, ${((n * args.seconds) / wallSec).toFixed(2)} media-s/s`,
  );
  console.log(`completion time (upload to done): p50 ${sec(p(0.5))} s, p95 ${sec(p(0.95))} s`);
  console.log(
    `upload to subtitles done: median ${sec(median(done.map((o) => o.untilDoneMs.subtitle ?? 0)))} s`,
  );
}

const roots = [args.root, ...(args.against ? [args.against] : [])];
const stacks: Stack[] = [];
try {
  for (const root of roots) buildCheckout(root);
  for (const root of roots) stacks.push(await startPlatform(root));
  const label = (i: number) =>
    roots.length > 1 ? `${['this tree', 'against'][i]} (${roots[i]})` : (roots[i] as string);
  if (args.videos !== undefined) {
    for (const [i, s] of stacks.entries()) await throughput(label(i), s, args.videos, args.concurrency);
  } else {
    const rounds: Round[][] = stacks.map(() => []);
    // Alternating trees round by round, so the machine's load falls on both alike.
    for (let r = 0; r < args.runs; r++)
      for (const [i, s] of stacks.entries()) (rounds[i] as Round[]).push(await round(s));
    const results = stacks.map((_, i) => report(label(i), rounds[i] as Round[]));
    if (results.length === 2) {
      const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
      console.log(
        `\nthis tree / against: upload to subtitles done ${(a.subtitles / b.subtitles).toFixed(2)}, end to end ${(a.e2e / b.e2e).toFixed(2)}`,
      );
    }
  }
  for (const [i, s] of stacks.entries()) {
    const rss = await peakRss(s);
    printTable(
      `peak RSS, MB (${label(i)})`,
      Object.entries(rss).map(([process, mb]) => ({ process, 'peak RSS MB': mb })),
    );
  }
} finally {
  for (const s of stacks) await s.stop();
  await rm(dir, { recursive: true, force: true });
}
