// bench/frontend: what the web app costs a browser, measured in Debian's Chromium on the real stack.
//  1. The JavaScript each page sends on first load (gzip), against the budget (≤ 200 KB), and
//     what is fetched later only on demand (hls.js when adaptive playback is chosen).
//  2. The library page's first render with 200 videos in the catalog: first contentful paint,
//     against the sign-in page's (the framework's floor: no data) and main-app's own list call,
//     measured alternately in the same run so that machine load cancels out.
//   npm run bench:frontend            (BENCH_RUNS=5 by default)
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { MongoClient } from 'mongodb';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FRONTEND_SECRETS, type RunningFrontend, startFrontend } from '../../tests/support/frontend.js';
import { makeVideo } from '../../tests/support/media.js';
import { launchChromium, signedInContext } from '../../tests/support/web-browser.js';
import { median, printTable } from '../lib/report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const VIDEOS = 200;
const BUDGET_KB = 200;
const headers = { 'x-api-key': TEST_API_KEY };

/** gzip size (level 9, as a front proxy would serve it) of every script the page loads until idle. */
async function scriptBytes(
  page: Page,
  go: () => Promise<unknown>,
): Promise<{ raw: number; gzip: number; files: number }> {
  const bodies: Promise<Buffer | null>[] = [];
  const seen = new Set<string>();
  const onResponse = (r: import('playwright-core').Response) => {
    if (r.request().resourceType() !== 'script' || seen.has(r.url())) return;
    seen.add(r.url());
    bodies.push(r.body().catch(() => null));
  };
  page.on('response', onResponse);
  await go();
  await page.waitForLoadState('networkidle');
  page.off('response', onResponse);
  const all = (await Promise.all(bodies)).filter((b): b is Buffer => b !== null);
  return {
    raw: all.reduce((s, b) => s + b.length, 0),
    gzip: all.reduce((s, b) => s + gzipSync(b, { level: 9 }).length, 0),
    files: all.length,
  };
}

/** First contentful paint, and when `ready` (the page's content) was in place, both from navigation start. */
async function firstPaintMs(
  context: BrowserContext,
  url: string,
  ready: string,
): Promise<{ fcp: number; content: number }> {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(
    (sel) => {
      const w = window as unknown as { readyAt?: number };
      if (document.querySelector(sel)) w.readyAt ??= performance.now();
      return w.readyAt !== undefined;
    },
    ready,
    { polling: 'raf' },
  );
  const content = await page.evaluate(() => (window as unknown as { readyAt: number }).readyAt);
  const fcp = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const entry = performance.getEntriesByName('first-contentful-paint')[0];
        if (entry) resolve(entry.startTime);
        else
          new PerformanceObserver((list) => resolve(list.getEntries()[0]!.startTime)).observe({
            type: 'paint',
            buffered: true,
          });
      }),
  );
  await page.close();
  return { fcp, content };
}

let stack: Stack | undefined;
let web: RunningFrontend | undefined;
let browser: Browser | undefined;
try {
  stack = await startStack({
    mongo: true,
    secrets: FRONTEND_SECRETS,
    apps: [
      { app: 'main-app', appId: 'main-app', env: { ORCH_POLL_MS: '300' } },
      { app: 'downscale', appId: 'downscale' },
    ],
  });
  web = await startFrontend(stack);
  const api = stack.get('main-app').app.url;

  // One real video with its poster, storyboard and renditions, then 199 catalog copies of it
  // (new ids, titles, hashes; the same stored files), so every card has real images to show.
  const file = makeVideo(stack.dir, 'seed.mp4', { seconds: 8, size: '640x360' });
  const form = new FormData();
  form.append('title', 'Seed clip');
  form.append('tasks', 'downscale');
  form.append('file', new File([await readFile(file)], 'seed.mp4'));
  const created = (await (
    await fetch(`${api}/api/videos`, { method: 'POST', body: form, headers })
  ).json()) as {
    video: { id: string };
  };
  await waitUntil(
    'the seed video to be processed',
    async () =>
      (
        (await (await fetch(`${api}/api/videos/${created.video.id}`, { headers })).json()) as {
          status: string;
        }
      ).status !== 'processing',
    300_000,
    500,
  );
  const mongo = new MongoClient(`mongodb://127.0.0.1:${stack.mongo!.port}/vidp`);
  const videos = mongo.db().collection<Record<string, unknown>>('videos');
  const seed = (await videos.findOne({ _id: created.video.id as never }))!;
  const copies = Array.from({ length: VIDEOS - 1 }, (_, i) => {
    const title = `Clip ${i + 1} of the benchmark`;
    return {
      ...seed,
      _id: randomUUID(),
      title,
      titleTerms: ['clip', String(i + 1), 'of', 'the', 'benchmark'],
      sha256: randomUUID().replaceAll('-', '').padEnd(64, '0'),
      createdAt: new Date(Date.now() - i * 60_000).toISOString(),
    };
  });
  await videos.insertMany(copies as never[]);
  await mongo.close();
  const total = ((await (await fetch(`${api}/api/videos?limit=1`, { headers })).json()) as { total: number })
    .total;
  console.log(`catalog: ${total} videos`);

  browser = await launchChromium();
  const context = await signedInContext(browser, web.url);
  const anonymous = await browser.newContext();

  // 1. JavaScript per page.
  const pages: [string, BrowserContext, string][] = [
    ['sign in', anonymous, '/signin'],
    ['upload', context, '/upload'],
    ['library', context, '/library'],
    ['video', context, `/videos/${created.video.id}`],
  ];
  const rows: Record<string, string | number>[] = [];
  let worst = 0;
  for (const [name, ctx, path] of pages) {
    const page = await ctx.newPage();
    const js = await scriptBytes(page, () => page.goto(`${web!.url}${path}`));
    worst = Math.max(worst, js.gzip);
    rows.push({
      page: name,
      scripts: js.files,
      'raw KB': Math.round(js.raw / 1000),
      'gzip KB': Math.round(js.gzip / 1000),
      'gzip / budget': (js.gzip / 1000 / BUDGET_KB).toFixed(2),
    });
    if (name === 'video') {
      const more = await scriptBytes(page, async () => {
        await page.getByLabel('Quality').selectOption('adaptive');
        // hls.js attached: the video now plays from a MediaSource (blob: URL).
        await page.waitForFunction(() => document.querySelector('video')?.currentSrc.startsWith('blob:'));
      });
      rows.push({
        page: 'video: adaptive (HLS) chosen, on demand',
        scripts: more.files,
        'raw KB': Math.round(more.raw / 1000),
        'gzip KB': Math.round(more.gzip / 1000),
        'gzip / budget': '(not first load)',
      });
    }
    await page.close();
  }
  printTable(`JavaScript sent on first load (budget ${BUDGET_KB} KB gzip per page)`, rows);

  // 2. Library first render with 200 videos, alternating with the baselines.
  const library: number[] = [];
  const cards: number[] = [];
  const signin: number[] = [];
  const list: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const lib = await firstPaintMs(context, `${web.url}/library`, '.grid .card[data-video-id]');
    library.push(lib.fcp);
    cards.push(lib.content);
    signin.push((await firstPaintMs(anonymous, `${web.url}/signin`, 'form')).fcp);
    const t = performance.now();
    await (await fetch(`${api}/api/videos?limit=24`, { headers })).json();
    list.push(performance.now() - t);
  }
  const m = { library: median(library), cards: median(cards), signin: median(signin), list: median(list) };
  printTable(`Library first render with ${total} videos in the catalog (median of ${RUNS})`, [
    {
      what: 'library page, first contentful paint',
      ms: Math.round(m.library),
      runs: library.map(Math.round).join(' '),
    },
    {
      what: 'library page, its 24 cards in place',
      ms: Math.round(m.cards),
      runs: cards.map(Math.round).join(' '),
    },
    {
      what: 'sign-in page (no data), first contentful paint',
      ms: Math.round(m.signin),
      runs: signin.map(Math.round).join(' '),
    },
    {
      what: "main-app's list call (24 of them), direct",
      ms: Math.round(m.list),
      runs: list.map(Math.round).join(' '),
    },
  ]);
  console.log(`library first paint / sign-in first paint: ${(m.library / m.signin).toFixed(2)}`);
  console.log(`library cards in place / main-app's list call: ${(m.cards / m.list).toFixed(2)}`);
  console.log(
    `largest first load: ${Math.round(worst / 1000)} KB gzip: ${worst / 1000 <= BUDGET_KB ? 'within' : 'OVER'} the ${BUDGET_KB} KB budget`,
  );
  process.exitCode = worst / 1000 <= BUDGET_KB ? 0 : 1;
} finally {
  await browser?.close();
  await web?.stop();
  await stack?.stop();
}
