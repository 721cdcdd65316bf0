// bench/downscale: a 60 s 1080p source and a 720/480/360 ladder, three ways in one run:
//   (a) the service, end to end through its HTTP API via two daprd sidecars (upload, encode,
//       streamed multipart answer read to its last byte);
//   (b) the equivalent single ffmpeg command written by hand (same outputs: three MP4s, the
//       poster and the storyboard, same settings, same cascade of scalers), and for reference
//       the same command scaling every rung from the source;
//   (c) three separate ffmpeg runs, one per rendition (no poster or storyboard: favours them).
// Alternating, median of BENCH_RUNS (default 3). Prints seconds, ratios and output sizes.
// Targets: service / single ffmpeg <= 1.10; three runs / service >= 1.4.
//   npm run bench:downscale            (BENCH_SECONDS=60 BENCH_RUNS=3 by default)
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { peakRssBytes, startStack } from '@vidp/local-stack';
import { runFfmpeg } from '@vidp/media';
import { filePart, invokeMultipart, Sidecar } from '@vidp/service-kit';
import { median, printTable } from '../lib/report.js';
import { benchSource, cacheDir } from './media.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1024 * 1024;

// The service's defaults for these rungs, written out by hand as a person would.
const LADDER = [
  { h: 720, w: 1280, crf: 23, maxrate: '3000k', bufsize: '6000k', audio: '128k' },
  { h: 480, w: 854, crf: 22, maxrate: '2000k', bufsize: '4000k', audio: '128k' },
  { h: 360, w: 640, crf: 22, maxrate: '1400k', bufsize: '2800k', audio: '96k' },
];
const encodeArgs = (r: (typeof LADDER)[number]) => [
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-crf',
  String(r.crf),
  '-maxrate',
  r.maxrate,
  '-bufsize',
  r.bufsize,
  '-profile:v',
  'high',
  '-force_key_frames',
  'expr:gte(t,n_forced*2)',
  '-c:a',
  'aac',
  '-b:a',
  r.audio,
  '-ac',
  '2',
  '-movflags',
  '+faststart',
];

// The service's graph: each rung scaled from the one above (cascade).
const CASCADE = [
  '[0:v]split=3[l][p][s]',
  '[l]scale=1280:720,setsar=1,format=yuv420p,split=2[v720][l2]',
  '[l2]scale=854:480,setsar=1,split=2[v480][l3]',
  '[l3]scale=640:360,setsar=1[v360]',
];
// What one usually writes first: every rung scaled from the source.
const SPLIT = [
  '[0:v]split=5[a][b][c][p][s]',
  '[a]scale=1280:720,setsar=1,format=yuv420p[v720]',
  '[b]scale=854:480,setsar=1,format=yuv420p[v480]',
  '[c]scale=640:360,setsar=1,format=yuv420p[v360]',
];

async function singleCommand(source: string, out: string, ladder = CASCADE) {
  const graph = [
    ...ladder,
    `[p]select='gte(t\\,${seconds / 10})*eq(selected_n\\,0)',scale=1280:720,format=yuvj420p[poster]`,
    `[s]fps=1/${seconds / 25},scale=160:90,tile=5x5,format=yuvj420p[board]`,
  ].join(';');
  await runFfmpeg(
    [
      '-y',
      '-i',
      source,
      '-filter_complex',
      graph,
      ...LADDER.flatMap((r) => [
        '-map',
        `[v${r.h}]`,
        '-map',
        '0:a:0',
        ...encodeArgs(r),
        join(out, `${r.h}p.mp4`),
      ]),
      ...['-map', '[poster]', '-frames:v', '1', '-q:v', '3', '-update', '1', join(out, 'poster.jpg')],
      ...['-map', '[board]', '-frames:v', '1', '-q:v', '3', '-update', '1', join(out, 'storyboard.jpg')],
    ],
    { nice: 10 },
  );
}

async function threeRuns(source: string, out: string) {
  for (const r of LADDER) {
    await runFfmpeg(
      ['-y', '-i', source, '-vf', `scale=${r.w}:${r.h}`, ...encodeArgs(r), join(out, `${r.h}p.mp4`)],
      { nice: 10 },
    );
  }
}

async function folderBytes(dir: string) {
  let total = 0;
  for (const f of await readdir(dir)) total += (await stat(join(dir, f))).size;
  return total;
}

const source = await benchSource(seconds);
const sourceMb = (await stat(source)).size / MiB;
const stack = await startStack({
  apps: [{ app: 'downscale', appId: 'downscale', env: { MAX_UPLOAD_BYTES: String(2048 * MiB) } }],
});
try {
  const caller = await stack.startSidecar('bench-client');
  const client = new Sidecar({ host: '127.0.0.1', httpPort: caller.httpPort });
  const out = join(cacheDir, 'out');

  let serviceBytes = 0;
  const inside: number[] = [];
  const service = async () => {
    const res = await invokeMultipart(client, 'downscale', 'api/downscale/upload', [
      { name: 'heights', value: '720,480,360' },
      await filePart('file', source, 'video/mp4'),
    ]);
    if (res.status !== 200) throw new Error(`service answered ${res.status}: ${await res.text()}`);
    const form = await res.formData();
    const result = JSON.parse(form.get('result') as string);
    if (result.renditions.length !== 3) throw new Error('service returned the wrong ladder');
    inside.push(result.timings.encodeSec + result.timings.packageSec);
    serviceBytes = [...form.values()].reduce((n, v) => n + (typeof v === 'string' ? 0 : v.size), 0);
  };
  const local = (fn: (src: string, dir: string) => Promise<void>) => async () => {
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    await fn(source, out);
  };
  const ways = {
    service,
    single: local(singleCommand),
    three: local(threeRuns),
    naive: local((src, dir) => singleCommand(src, dir, SPLIT)),
  };
  const times = {
    service: [] as number[],
    single: [] as number[],
    three: [] as number[],
    naive: [] as number[],
  };
  const outBytes = { single: 0, three: 0, naive: 0 };
  await ways.service(); // warm-up: page cache, JIT, connections
  for (let i = 0; i < runs; i++) {
    // Rotate the order so no way always runs first.
    const order = (['service', 'single', 'three', 'naive'] as const).map(
      (_, k, all) => all[(k + i) % all.length]!,
    );
    for (const way of order) {
      const t0 = performance.now();
      await ways[way]();
      times[way].push((performance.now() - t0) / 1000);
      if (way !== 'service') outBytes[way] = await folderBytes(out);
      console.log(`run ${i + 1}: ${way} ${times[way].at(-1)!.toFixed(2)} s`);
    }
  }
  const m = {
    service: median(times.service),
    single: median(times.single),
    three: median(times.three),
    naive: median(times.naive),
  };
  printTable(
    `downscale: ${seconds} s 1080p source (${sourceMb.toFixed(1)} MB), 720/480/360 ladder, median of ${runs}`,
    [
      {
        way: 'service through 2 sidecars (HTTP API, end to end)',
        'median s': m.service.toFixed(2),
        'runs (s)': times.service.map((t) => t.toFixed(2)).join(' '),
        'output MB': (serviceBytes / MiB).toFixed(1),
      },
      {
        way: 'single hand-written ffmpeg command',
        'median s': m.single.toFixed(2),
        'runs (s)': times.single.map((t) => t.toFixed(2)).join(' '),
        'output MB': (outBytes.single / MiB).toFixed(1),
      },
      {
        way: 'single ffmpeg, every rung scaled from the source',
        'median s': m.naive.toFixed(2),
        'runs (s)': times.naive.map((t) => t.toFixed(2)).join(' '),
        'output MB': (outBytes.naive / MiB).toFixed(1),
      },
      {
        way: 'three separate ffmpeg runs',
        'median s': m.three.toFixed(2),
        'runs (s)': times.three.map((t) => t.toFixed(2)).join(' '),
        'output MB': (outBytes.three / MiB).toFixed(1),
      },
    ],
  );
  const encodeInside = median(inside.slice(1));
  console.log(
    `service: ffmpeg inside it ${encodeInside.toFixed(2)} s (median), everything around it ` +
      `(upload through 2 sidecars, probe, checks, streamed answer) ${(m.service - encodeInside).toFixed(2)} s`,
  );
  const app = stack.get('downscale');
  const rss = {
    'downscale app': await peakRssBytes(app.app.process.pid),
    'downscale daprd': await peakRssBytes(app.daprd.process.pid),
    'caller daprd': await peakRssBytes(caller.process.pid),
  };
  console.log(
    `peak RSS (MB), ${(sourceMb).toFixed(0)} MB in and ${(serviceBytes / MiB).toFixed(0)} MB out per call: ${Object.entries(
      rss,
    )
      .map(([who, bytes]) => `${who} ${(bytes / MiB).toFixed(0)}`)
      .join(', ')}`,
  );
  const overhead = m.service / m.single;
  const speedup = m.three / m.service;
  console.log(
    `ratio service/single ffmpeg = ${overhead.toFixed(3)} (target <= 1.10: ${overhead <= 1.1 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `ratio three runs/service = ${speedup.toFixed(2)}x (target >= 1.4: ${speedup >= 1.4 ? 'met' : 'NOT met'})`,
  );
} finally {
  await stack.stop();
}
