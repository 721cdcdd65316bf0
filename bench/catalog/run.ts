// bench/catalog: GET /api/videos the way a library page calls it (pages, filters, both
// orders), with 1,000 videos in the catalog, at 50 connections (wrk), against GET /health
// of the same process, alternating in one run. Target: p95 of the list <= 100 ms.
// Then, once, the same lists answered by the database (CATALOG_LISTS=database), to show
// what the read model buys; it runs last because the database is still busy after it.
//   npm run bench:catalog
//   BENCH_VIDEOS=1000 BENCH_CONNECTIONS=50 BENCH_SECONDS=10 BENCH_ROUNDS=2 BENCH_DATABASE=1
//   TEST_MONGODB_URL=mongodb://host:27017/any npm run bench:catalog   (a real MongoDB; uses
//   and then drops the database vidp_bench_catalog)
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { peakRssBytes, type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { MongoClient } from 'mongodb';
import { fakeCatalog } from '../../tests/support/catalog-docs.js';
import { median } from '../lib/report.js';
import { type LoadResult, loadTest } from './wrk.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const VIDEOS = env('BENCH_VIDEOS', 1000);
const CONNECTIONS = env('BENCH_CONNECTIONS', 50);
const SECONDS = env('BENCH_SECONDS', 10);
const ROUNDS = env('BENCH_ROUNDS', 2);
const WITH_DATABASE = process.env.BENCH_DATABASE !== '0';
const TARGET_P95_MS = 100;

/** What a library page asks for: the first pages, a status filter, an animal, a language, oldest first. */
const LIST_PATHS = [
  '/api/videos?limit=24',
  '/api/videos?limit=24&offset=24',
  '/api/videos?status=completed&limit=24',
  '/api/videos?species=dog&limit=24',
  '/api/videos?language=fr&status=completed&limit=24',
  '/api/videos?sort=oldest&limit=24',
];
const headers = { 'x-api-key': TEST_API_KEY };

function realMongoUrl(): string | undefined {
  const given = process.env.TEST_MONGODB_URL;
  if (!given) return undefined;
  const url = new URL(given);
  url.pathname = '/vidp_bench_catalog';
  return url.toString();
}

async function seed(url: string): Promise<void> {
  const client = new MongoClient(url);
  try {
    await client.db().dropDatabase();
    const docs = fakeCatalog(VIDEOS, 42);
    for (let i = 0; i < docs.length; i += 100)
      await client
        .db()
        .collection('videos')
        .insertMany(docs.slice(i, i + 100) as never[]);
  } finally {
    await client.close();
  }
}

async function drop(url: string): Promise<void> {
  const client = new MongoClient(url);
  await client.db().dropDatabase();
  await client.close();
}

const row = (what: string, r: LoadResult) => ({
  what,
  'req/s': (r.requests / r.seconds).toFixed(0),
  'p50 ms': r.p50ms.toFixed(1),
  'p95 ms': r.p95ms.toFixed(1),
  'p99 ms': r.p99ms.toFixed(1),
  'max ms': r.maxMs.toFixed(0),
  errors: r.errors,
});

/** The median of each figure over the rounds (requests and seconds summed). */
function combine(runs: LoadResult[]): LoadResult {
  return {
    requests: runs.reduce((a, r) => a + r.requests, 0),
    seconds: runs.reduce((a, r) => a + r.seconds, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    p50ms: median(runs.map((r) => r.p50ms)),
    p95ms: median(runs.map((r) => r.p95ms)),
    p99ms: median(runs.map((r) => r.p99ms)),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
  };
}

let stack: Stack | undefined;
const real = realMongoUrl();
try {
  stack = await startStack({ mongo: !real, apps: [] });
  const mongoUrl = real ?? `mongodb://127.0.0.1:${stack.mongo?.port}/vidp`;
  const t0 = Date.now();
  await seed(mongoUrl);
  console.log(`seeded ${VIDEOS} videos (~6.5 KB documents) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // API-only replicas: no orchestrator touching the seeded videos during the runs.
  const app = (name: string, lists: 'memory' | 'database') =>
    stack?.startApp({
      app: 'main-app',
      appId: 'main-app',
      name,
      // LOG_LEVEL as `npm start` runs it (the stack's default is warn).
      env: { MAIN_APP_ROLE: 'api', CATALOG_LISTS: lists, MONGODB_URL: mongoUrl, LOG_LEVEL: 'info' },
    });
  const memory = (await app('main-app', 'memory'))?.app;
  const database = WITH_DATABASE ? (await app('main-app-database', 'database'))?.app : undefined;
  if (!memory) throw new Error('main-app did not start');
  for (const a of [memory, database]) {
    if (a)
      await waitUntil(
        'main-app ready',
        async () => (await fetch(`${a.url}/ready`)).status === 200,
        60_000,
        250,
      );
  }
  const t1 = Date.now();
  await waitUntil(
    'the read model to load the catalog',
    async () => memory.process.output().includes('catalog read model loaded'),
    600_000,
    250,
  );
  console.log(`read model loaded ${((Date.now() - t1) / 1000).toFixed(1)} s after main-app was ready`);

  // Both answer the same thing: the read model is only faster, not different.
  for (const path of LIST_PATHS) {
    const a = await fetch(`${memory.url}${path}`, { headers });
    if (a.status !== 200) throw new Error(`${path}: ${a.status} ${await a.text()}`);
    const bodyA = await a.text();
    if (database) {
      const bodyB = await (await fetch(`${database.url}${path}`, { headers })).text();
      if (bodyA !== bodyB) throw new Error(`${path}: memory and database answers differ`);
    }
  }
  console.log(
    `${LIST_PATHS.length} list queries checked: ${database ? 'memory and database answer the same; ' : ''}item ~${Math.round(
      (await (await fetch(`${memory.url}/api/videos?limit=100`, { headers })).text()).length / 100,
    )} bytes`,
  );

  const dir = join(stack.dir, 'bench');
  await mkdir(dir);
  const load = (base: string, paths: string[]) =>
    loadTest({ base, paths, headers, connections: CONNECTIONS, seconds: SECONDS, dir });
  const health: LoadResult[] = [];
  const lists: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    health.push(await load(memory.url, ['/health']));
    lists.push(await load(memory.url, LIST_PATHS));
  }
  const dbRun = database ? await load(database.url, LIST_PATHS) : undefined;

  const h = combine(health);
  const l = combine(lists);
  const server = real ? 'MongoDB' : 'FerretDB 1.24 (SQLite)';
  console.log(
    `\nbench/catalog: ${VIDEOS} videos on ${server}, ${CONNECTIONS} connections, ${SECONDS} s a run, ${ROUNDS} round(s) alternating (medians)`,
  );
  console.table([
    row('GET /health', h),
    row('GET /api/videos (read model)', l),
    ...(dbRun ? [row('GET /api/videos (database, once, last)', dbRun)] : []),
  ]);
  console.log(
    `list / health: throughput ${(l.requests / l.seconds / (h.requests / h.seconds)).toFixed(2)}, p95 ${(l.p95ms / h.p95ms).toFixed(2)}`,
  );
  if (dbRun && dbRun.requests > 0)
    console.log(
      `read model / database: throughput ${(l.requests / l.seconds / (dbRun.requests / dbRun.seconds)).toFixed(0)}x, p95 ${(dbRun.p95ms / l.p95ms).toFixed(0)}x lower`,
    );
  const rss = async (pid: number) => `${((await peakRssBytes(pid)) / 2 ** 20).toFixed(0)} MB`;
  console.log(
    `main-app peak RSS: read model ${await rss(memory.process.pid)}${database ? `, database lists ${await rss(database.process.pid)}` : ''}`,
  );
  const met = l.p95ms <= TARGET_P95_MS && l.errors === 0;
  console.log(`target: list p95 <= ${TARGET_P95_MS} ms with no error: ${met ? 'met' : 'NOT met'}`);
  if (real) await drop(mongoUrl);
} finally {
  await stack?.stop();
}
