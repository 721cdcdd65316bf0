// One whole platform (main-app and the four real processors, sidecars, Redis, FerretDB) run
// from a given checkout, and what the bench asks of it: upload, wait, read the timings.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { peakRssBytes, type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { childPids } from './cpu.js';

export const TASKS = ['langscale', 'subtitle', 'animal-detect', 'downscale'] as const;
export type Task = (typeof TASKS)[number];
const headers = { 'x-api-key': TEST_API_KEY };

/** Builds the checkout's bundles with its own build script (they are what the stack runs). */
export function buildCheckout(root: string): void {
  if (!existsSync(join(root, 'node_modules')))
    throw new Error(`${root} has no node_modules: run \`npm ci\` there first`);
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: root, stdio: 'inherit' });
}

export async function startPlatform(root: string): Promise<Stack> {
  const stack = await startStack({
    root,
    mongo: true,
    apps: [
      { app: 'main-app', appId: 'main-app', env: { ORCH_POLL_MS: '300' } },
      ...TASKS.map((t) => ({ app: t, appId: t })),
    ],
  });
  try {
    await waitAllReady(stack);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

async function waitAllReady(stack: Stack): Promise<void> {
  for (const id of stack.apps.keys()) {
    const url = stack.get(id).app.url;
    let last = '';
    await waitUntil(
      `${id} ready`,
      async () => {
        const res = await fetch(`${url}/ready`);
        last = await res.text();
        return res.ok;
      },
      600_000,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; its /ready said: ${last.slice(0, 500)}`);
    });
  }
}

export interface Outcome {
  id: string;
  uploadStart: number;
  /** Upload start to the video's end, ms. */
  endToEndMs: number;
  /** Each task's own wall time (started to finished on main-app's clock), ms. */
  taskMs: Partial<Record<Task, number>>;
  /** Upload start to each task's end, ms. */
  untilDoneMs: Partial<Record<Task, number>>;
  status: string;
}

/** Uploads a file (all tasks, or some) and waits for the video to end. */
export async function runVideo(
  stack: Stack,
  file: string,
  fields: Record<string, string> = {},
): Promise<Outcome> {
  const api = stack.get('main-app').app.url;
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new File([await readFile(file)], basename(file)));
  const uploadStart = Date.now();
  const res = await fetch(`${api}/api/videos`, { method: 'POST', body: form, headers });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  const { video } = (await res.json()) as { video: { id: string } };
  let v: any;
  await waitUntil(
    `video ${video.id} to end`,
    async () => {
      v = await (await fetch(`${api}/api/videos/${video.id}`, { headers })).json();
      return v.status !== 'processing';
    },
    1_800_000,
    // The figures come from main-app's own timestamps, so a slow look loses nothing; a fast one
    // would add its reads to the load being measured (each is a catalog read on the database).
    1000,
  );
  const taskMs: Outcome['taskMs'] = {};
  const untilDoneMs: Outcome['untilDoneMs'] = {};
  for (const t of TASKS) {
    const view = v.tasks[t];
    if (!view) continue;
    if (view.status !== 'done')
      throw new Error(`${t} ended ${view.status}: ${view.lastError ?? view.reason ?? ''}`);
    taskMs[t] = Date.parse(view.finishedAt) - Date.parse(view.startedAt);
    untilDoneMs[t] = Date.parse(view.finishedAt) - uploadStart;
  }
  return {
    id: video.id,
    uploadStart,
    endToEndMs: Date.parse(v.completedAt) - uploadStart,
    taskMs,
    untilDoneMs,
    status: v.status,
  };
}

/** Peak resident memory of every process of the stack, their children included (MB). */
export async function peakRss(stack: Stack): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  const add = async (name: string, pid: number) => {
    rows[name] = Math.round((await peakRssBytes(pid).catch(() => 0)) / 2 ** 20);
    for (const c of await childPids(pid)) {
      const comm = (await readFile(`/proc/${c}/comm`, 'utf8').catch(() => '?')).trim();
      await add(`${name} > ${comm}`, c);
    }
  };
  for (const [name, running] of stack.apps) {
    await add(name, running.app.process.pid);
    await add(`daprd ${name}`, running.daprd.process.pid);
  }
  await add('redis', stack.redis.process.pid);
  if (stack.mongo) await add('ferretdb', stack.mongo.process.pid);
  return rows;
}
