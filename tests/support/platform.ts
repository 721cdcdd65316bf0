// What the fault, scale-out and load tests ask of a running stack: upload, follow a video,
// and check the invariants every scenario ends on (each task done once, every output stored
// once and nothing else in GridFS, one completion event).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { findBinary, type Stack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { MongoClient } from 'mongodb';
import { expect } from 'vitest';

const run = promisify(execFile);
export const headers = { 'x-api-key': TEST_API_KEY };
export const ALL_TASKS = ['langscale', 'subtitle', 'animal-detect', 'downscale'] as const;

export class Platform {
  readonly mongo: MongoClient;

  constructor(
    readonly stack: Stack,
    /** The main-app replica to talk to (its name in the stack). */
    private readonly mainApp = 'main-app',
  ) {
    this.mongo = new MongoClient(`mongodb://127.0.0.1:${stack.mongo?.port}/vidp`, {
      serverSelectionTimeoutMS: 20_000,
    });
  }

  get api(): string {
    return this.stack.get(this.mainApp).app.url;
  }

  async upload(path: string, fields: Record<string, string> = {}): Promise<string> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new File([await readFile(path)], basename(path)));
    const res = await fetch(`${this.api}/api/videos`, { method: 'POST', body: form, headers });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as any).video.id as string;
  }

  async video(id: string): Promise<any> {
    const res = await fetch(`${this.api}/api/videos/${id}`, { headers, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`GET video ${id}: ${res.status}`);
    return res.json();
  }

  /** Waits until every named task is running (main-app may be briefly away: keep asking). */
  async waitRunning(id: string, tasks: readonly string[], timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      `${tasks.join(', ')} of ${id} running`,
      async () => {
        const v = await this.video(id);
        return tasks.every((t) => v.tasks[t]?.status === 'running');
      },
      timeoutMs,
      100,
    );
  }

  async waitEnded(id: string, timeoutMs = 180_000): Promise<any> {
    await waitUntil(
      `video ${id} to end`,
      async () => (await this.video(id)).status !== 'processing',
      timeoutMs,
      250,
    );
    return this.video(id);
  }

  /** Every GridFS file of a video, and the chunks that belong to no file at all. */
  async storage(id: string) {
    const db = this.mongo.db();
    const files = await db.collection('media.files').find({ 'metadata.videoId': id }).toArray();
    const fileIds = (
      await db
        .collection('media.files')
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((f) => f._id);
    const orphanChunks = await db.collection('media.chunks').countDocuments({ files_id: { $nin: fileIds } });
    return { files, orphanChunks };
  }

  /** Events of a topic about this video (and task): the data of each, from the Redis stream Dapr writes. */
  async events(topic: string, videoId: string, task?: string): Promise<any[]> {
    const { stdout } = await run(findBinary('redis-cli'), [
      '-p',
      String(this.stack.redis.port),
      '--raw',
      'XRANGE',
      topic,
      '-',
      '+',
    ]);
    // --raw prints each entry's id, field names and values on lines of their own.
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes(videoId))
      .map((line) => (JSON.parse(line) as { data: any }).data)
      .filter((d) => d?.videoId === videoId && (task === undefined || d.task === task));
  }

  /**
   * The end every scenario must reach: the video completed, each task done exactly once
   * (one `task.completed`, one `video.completed`), every output it lists stored once and
   * served whole, no other file of the video in GridFS, no chunk without a file.
   */
  async expectCompletedOnce(id: string, tasks: readonly string[] = ALL_TASKS): Promise<any> {
    const v = await this.waitEnded(id);
    for (const t of tasks) expect(v.tasks[t]?.status, `${t}: ${v.tasks[t]?.lastError ?? ''}`).toBe('done');
    expect(v.status).toBe('completed');
    await this.expectStoredOnce(id, v, tasks);
    // Events are published after the commit: give the last one a moment to land.
    await waitUntil(
      'video.completed published',
      async () => (await this.events('video.completed', id)).length > 0,
    );
    expect(await this.events('video.completed', id)).toHaveLength(1);
    for (const t of tasks)
      expect(await this.events('task.completed', id, t), `task.completed ${t}`).toHaveLength(1);
    return v;
  }

  /**
   * `expectCompletedOnce` for videos processed together. GridFS is looked at once all have
   * ended: an output being stored for another video has its chunks written and no file yet,
   * and would pass for a chunk without a file.
   */
  async expectAllCompletedOnce(ids: readonly string[], tasks: readonly string[] = ALL_TASKS): Promise<any[]> {
    for (const id of ids) await this.waitEnded(id);
    const videos = [];
    for (const id of ids) videos.push(await this.expectCompletedOnce(id, tasks));
    return videos;
  }

  /** The outputs listed are in GridFS once each and downloadable whole; nothing else is there. */
  async expectStoredOnce(id: string, v: any, tasks: readonly string[]): Promise<void> {
    const { files, orphanChunks } = await this.storage(id);
    expect(orphanChunks, 'GridFS chunks without a file').toBe(0);
    const byRole = (role: string) => files.filter((f) => f.metadata.role === role);
    expect(byRole('original')).toHaveLength(1);
    for (const t of tasks) {
      const outputs = v.tasks[t]?.outputs ?? [];
      const stored = byRole(t);
      expect(stored.map((f) => f.length).sort(), `${t} outputs in GridFS`).toEqual(
        outputs.map((o: any) => o.size).sort(),
      );
      expect(new Set(stored.map((f) => f.metadata.attempt)).size, `${t}: files of one attempt`).toBeLessThan(
        2,
      );
      for (const o of outputs) {
        const res = await fetch(`${this.api}${o.url}`, { headers });
        expect(res.status).toBe(200);
        expect((await res.arrayBuffer()).byteLength).toBe(o.size);
      }
    }
    const roles = new Set(['original', ...tasks]);
    expect(files.filter((f) => !roles.has(f.metadata.role))).toEqual([]);
  }

  close(): Promise<void> {
    return this.mongo.close();
  }
}

export interface ReadySample {
  at: number;
  /** HTTP status, or 0 when nothing answered (the process is down). */
  status: number;
  body?: any;
}

/**
 * Polls a `/ready` until stopped, keeping every answer, so a test can show that an outage
 * was visible while it lasted (and gone after).
 */
export function watchReady(url: string, everyMs = 100, pollers = 3) {
  const samples: ReadySample[] = [];
  let on = true;
  // Several pollers, staggered: a short outage is seen even when one answer takes a while.
  const poll = async (k: number) => {
    await new Promise((r) => setTimeout(r, (k * everyMs) / pollers));
    while (on) {
      const at = Date.now();
      try {
        const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5000) });
        samples.push({ at, status: res.status, body: await res.json().catch(() => undefined) });
      } catch {
        samples.push({ at, status: 0 });
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  const loop = Promise.all(Array.from({ length: pollers }, (_, k) => poll(k)));
  return {
    samples,
    /**
     * Waits until `/ready` has shown the outage (`outage` true for an answer) and, after it,
     * that it is over (`recovered`); fails if the outage was never seen. Then stops polling.
     */
    async until(
      outage: (s: ReadySample) => boolean,
      recovered: (s: ReadySample) => boolean,
      timeoutMs = 90_000,
    ): Promise<ReadySample[]> {
      let sawOutage = false;
      let seen = 0;
      try {
        await waitUntil(
          `${url}/ready to show the outage and then recover`,
          async () => {
            for (; seen < samples.length; seen++) {
              const s = samples[seen] as ReadySample;
              if (!sawOutage) sawOutage = outage(s);
              else if (recovered(s)) return true;
            }
            return false;
          },
          timeoutMs,
          100,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}; answers seen:\n${describeSamples(samples)}`);
      } finally {
        on = false;
        await loop;
      }
      return samples;
    },
  };
}

/** The answers in short, repeats folded: for assertion messages. */
export function describeSamples(samples: ReadySample[]): string {
  const lines: string[] = [];
  for (const s of samples) {
    const line =
      `${s.status} ${s.body?.reason ?? ''} ${s.body?.degraded ? `degraded: ${s.body.degraded}` : ''}`.trim();
    if (lines.at(-1) !== line) lines.push(line);
  }
  return lines.join('\n');
}

/** Ready (a processor listed as degraded does not count: main-app serves without it). */
export const isReady = (s: ReadySample) => s.status === 200;
/** A check named `name` failed in this answer (as not-ready or as degraded). */
export const checkFailed = (s: Pick<ReadySample, 'status' | 'body'>, name: string) =>
  s.status !== 0 && s.body?.checks?.[name] !== undefined && s.body.checks[name] !== 'ok';

/** Live descendants of a process (children, grandchildren...), from /proc. */
export async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const walk = async (p: number) => {
    const tasks = await readFile(`/proc/${p}/task/${p}/children`, 'utf8').catch(() => '');
    for (const c of tasks.split(/\s+/).filter(Boolean).map(Number)) {
      found.push(c);
      await walk(c);
    }
  };
  await walk(pid);
  return found;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
