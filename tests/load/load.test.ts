import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Stack, startStack, waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_ORCHESTRATION } from '../support/main-app.js';
import { makeVideo } from '../support/media.js';
import { ALL_TASKS, headers, Platform } from '../support/platform.js';

// `npm run test:load` (not part of `npm test`): the whole platform, real processors, under
// 20 concurrent uploads of distinct small videos while waves of 200 concurrent API reads hit
// main-app. Every upload and every read must succeed, every video complete with each task
// done once; prints the latency of the reads under that load. Loopback only, bounded.
const UPLOADS = Number(process.env.LOAD_UPLOADS ?? 20);
const READERS = Number(process.env.LOAD_READERS ?? 200);
const MAX_WAVES = Number(process.env.LOAD_MAX_WAVES ?? 10);

interface Read {
  ms: number;
  status: number;
  kind: string;
}

const percentile = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};

describe('load: concurrent uploads and reads on the whole platform', () => {
  let stack: Stack;
  let platform: Platform;

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      apps: [
        { app: 'main-app', appId: 'main-app', env: { ...FAST_ORCHESTRATION, TASK_LEASE_MS: '30000' } },
        ...ALL_TASKS.map((t) => ({ app: t, appId: t })),
      ],
    });
    platform = new Platform(stack);
    for (const id of stack.apps.keys())
      await waitUntil(
        `${id} ready`,
        async () => (await fetch(`${stack.get(id).app.url}/ready`)).ok,
        90_000,
        250,
      );
  });
  afterAll(async () => {
    await platform?.close();
    await stack?.stop();
  });

  it(`${UPLOADS} concurrent uploads with waves of ${READERS} concurrent reads: nothing fails, nothing lost or doubled`, async () => {
    const dir = join(stack.dir, 'media');
    await mkdir(dir);
    const files = Array.from({ length: UPLOADS }, (_, i) =>
      makeVideo(dir, `load-${i}.mp4`, { seconds: 2, tone: 200 + i * 37 }),
    );
    const started = Date.now();
    const ids = await Promise.all(files.map((f) => platform.upload(f)));
    const uploadSec = (Date.now() - started) / 1000;
    expect(new Set(ids).size).toBe(UPLOADS);

    const reads: Read[] = [];
    const read = async (i: number): Promise<void> => {
      const kind = ['list', 'list-processing', 'video'][i % 3] as string;
      const path =
        kind === 'list'
          ? '/api/videos?limit=20'
          : kind === 'list-processing'
            ? '/api/videos?status=processing&limit=20'
            : `/api/videos/${ids[i % ids.length]}`;
      const t0 = performance.now();
      let status = 0;
      try {
        const res = await fetch(`${platform.api}${path}`, { headers, signal: AbortSignal.timeout(60_000) });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0;
      }
      reads.push({ ms: performance.now() - t0, status, kind });
    };
    const allEnded = async () =>
      (await Promise.all(ids.map((id) => platform.video(id)))).every((v) => v.status !== 'processing');
    // Waves of concurrent reads while the work goes on (at least one, at most MAX_WAVES).
    let waves = 0;
    do {
      await Promise.all(Array.from({ length: READERS }, (_, i) => read(i)));
      waves++;
    } while (waves < MAX_WAVES && !(await allEnded()));

    await platform.expectAllCompletedOnce(ids);
    const totalSec = (Date.now() - started) / 1000;

    const failed = reads.filter((r) => r.status !== 200);
    const ms = reads.map((r) => r.ms);
    console.log(
      [
        `\nload: ${UPLOADS} uploads accepted in ${uploadSec.toFixed(1)} s, all ${UPLOADS * ALL_TASKS.length} tasks done in ${totalSec.toFixed(1)} s`,
        `reads: ${reads.length} in ${waves} wave(s) of ${READERS} concurrent, ${failed.length} failed`,
        `read latency under load: p50 ${percentile(ms, 50).toFixed(0)} ms, p95 ${percentile(ms, 95).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`,
        ...['list', 'list-processing', 'video'].map((k) => {
          const m = reads.filter((r) => r.kind === k).map((r) => r.ms);
          return `  ${k.padEnd(16)} n=${m.length} p50 ${percentile(m, 50).toFixed(0)} ms, p95 ${percentile(m, 95).toFixed(0)} ms`;
        }),
      ].join('\n'),
    );
    expect(failed).toEqual([]);
  });
});
