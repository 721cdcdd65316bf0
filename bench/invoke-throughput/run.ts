// bench/invoke-throughput: one 300 MB multipart upload sent (a) straight to the receiving
// app and (b) through two daprd sidecars (caller's and receiver's), alternating, in one
// run. Prints MB/s of each, the ratio, and CPU seconds per process.
// Target: through Dapr >= 0.7 of direct.
//   npm run bench:invoke            (BENCH_MB=300 BENCH_RUNS=3 by default)
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fixtureApp, peakRssBytes, startStack } from '@vidp/local-stack';
import { encodeMultipart, streamRequest } from '@vidp/service-kit';
import { median, printTable } from '../lib/report.js';

const MiB = 1024 * 1024;
const sizeMb = Number(process.env.BENCH_MB ?? 300);
const runs = Number(process.env.BENCH_RUNS ?? 3);

const block = Buffer.alloc(MiB);
for (let i = 0; i < block.length; i += 32) createHash('sha256').update(String(i)).digest().copy(block, i);

/** CPU seconds (user + system) a process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function upload(url: string): Promise<number> {
  const total = sizeMb * MiB;
  const { contentType, body } = encodeMultipart([
    {
      name: 'file',
      filename: 'bench.bin',
      open: async function* () {
        for (let sent = 0; sent < total; sent += MiB) yield block;
      },
    },
  ]);
  const started = process.hrtime.bigint();
  const res = await streamRequest(url, { 'content-type': contentType }, body);
  const answer = (await res.json()) as { file?: { size: number } };
  if (res.status !== 200 || answer.file?.size !== total)
    throw new Error(`upload to ${url} failed: ${res.status}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const stack = await startStack({
  apps: [
    { app: fixtureApp('receiver'), appId: 'receiver', env: { MAX_UPLOAD_BYTES: String(sizeMb * 2 * MiB) } },
  ],
});
try {
  const caller = await stack.startSidecar('bench-client');
  const receiver = stack.get('receiver');
  const paths = {
    direct: `${receiver.app.url}/api/echo/upload`,
    dapr: `http://127.0.0.1:${caller.httpPort}/v1.0/invoke/receiver/method/api/echo/upload`,
  };
  const pids: Record<string, number> = {
    'client (this process)': process.pid,
    'caller daprd': caller.process.pid,
    'receiver daprd': receiver.daprd.process.pid,
    'receiver app': receiver.app.process.pid,
  };
  const times = { direct: [] as number[], dapr: [] as number[] };
  const cpu = { direct: {} as Record<string, number>, dapr: {} as Record<string, number> };

  await upload(paths.direct); // warm-up: page cache, JIT, connections
  for (let i = 0; i < runs; i++) {
    for (const path of ['direct', 'dapr'] as const) {
      const before = await Promise.all(Object.values(pids).map(cpuSeconds));
      times[path].push(await upload(paths[path]));
      const after = await Promise.all(Object.values(pids).map(cpuSeconds));
      Object.keys(pids).forEach((who, k) => {
        cpu[path][who] = (cpu[path][who] ?? 0) + ((after[k] as number) - (before[k] as number)) / runs;
      });
    }
  }

  const mbps = (path: 'direct' | 'dapr') => sizeMb / median(times[path]);
  printTable(`invoke-throughput: ${sizeMb} MB multipart upload, median of ${runs} runs each`, [
    {
      path: 'direct to app',
      'MB/s': mbps('direct').toFixed(1),
      'runs (s)': times.direct.map((t) => t.toFixed(2)).join(' '),
    },
    {
      path: 'through 2 sidecars',
      'MB/s': mbps('dapr').toFixed(1),
      'runs (s)': times.dapr.map((t) => t.toFixed(2)).join(' '),
    },
  ]);
  printTable(
    'CPU seconds per upload, by process',
    Object.keys(pids).map((who) => ({
      process: who,
      direct: (cpu.direct[who] ?? 0).toFixed(2),
      dapr: (cpu.dapr[who] ?? 0).toFixed(2),
    })),
  );
  const rss = await Promise.all(Object.values(pids).map(peakRssBytes));
  console.log(
    `peak RSS (MB): ${Object.keys(pids)
      .map((who, k) => `${who} ${((rss[k] as number) / MiB).toFixed(0)}`)
      .join(', ')}`,
  );
  const ratio = mbps('dapr') / mbps('direct');
  console.log(
    `ratio dapr/direct = ${ratio.toFixed(2)} (target >= 0.70: ${ratio >= 0.7 ? 'met' : 'NOT met'})`,
  );
} finally {
  await stack.stop();
}
