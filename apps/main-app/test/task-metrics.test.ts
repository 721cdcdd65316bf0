import type { Collection } from 'mongodb';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { taskMetrics } from '../src/adapters/task-metrics.js';
import type { Video } from '../src/domain/model.js';

/** A stand-in for the videos collection: `find(...).toArray()` answers these documents. */
function videos(docs: Partial<Video>[], seen: unknown[] = []): Collection<Video> {
  return {
    find: (filter: unknown, options: unknown) => {
      seen.push({ filter, options });
      return { toArray: async () => docs };
    },
  } as unknown as Collection<Video>;
}

const value = async (registry: Registry, name: string, labels: Record<string, string>) => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))
    ?.value;
};

describe('task metrics (the dashboards and alerts read them)', () => {
  it('exports every task and outcome from the start, at zero', async () => {
    const registry = new Registry();
    taskMetrics(registry, videos([]));
    const text = await registry.metrics();
    for (const task of ['langscale', 'subtitle', 'animal-detect', 'downscale']) {
      expect(text).toContain(`vidp_tasks_started_total{task="${task}"} 0`);
      for (const outcome of ['done', 'failed', 'retried', 'stopped']) {
        expect(text).toContain(`vidp_tasks_ended_total{task="${task}",outcome="${outcome}"} 0`);
        expect(text).toContain(`vidp_task_duration_seconds_count{task="${task}",outcome="${outcome}"} 0`);
      }
      expect(text).toContain(`vidp_media_seconds_processed_total{task="${task}"} 0`);
      expect(text).toContain(`vidp_tasks_waiting{task="${task}"} 0`);
      expect(text).toContain(`vidp_task_oldest_waiting_seconds{task="${task}"} 0`);
    }
  });

  it('counts attempts by outcome, their durations, and the media seconds of tasks done', async () => {
    const registry = new Registry();
    const m = taskMetrics(registry, videos([]));
    m.started('downscale');
    m.ended('downscale', 'retried', 2);
    m.started('downscale');
    m.ended('downscale', 'done', 40, 60);
    m.ended('langscale', 'failed');
    expect(await value(registry, 'vidp_tasks_started_total', { task: 'downscale' })).toBe(2);
    expect(await value(registry, 'vidp_tasks_ended_total', { task: 'downscale', outcome: 'done' })).toBe(1);
    expect(await value(registry, 'vidp_tasks_ended_total', { task: 'downscale', outcome: 'retried' })).toBe(
      1,
    );
    expect(await value(registry, 'vidp_tasks_ended_total', { task: 'langscale', outcome: 'failed' })).toBe(1);
    expect(await value(registry, 'vidp_media_seconds_processed_total', { task: 'downscale' })).toBe(60);
    expect(
      await value(registry, 'vidp_task_duration_seconds', { task: 'downscale', outcome: 'done', le: '60' }),
    ).toBe(1);
    expect(
      await value(registry, 'vidp_task_duration_seconds', { task: 'downscale', outcome: 'done', le: '30' }),
    ).toBe(0);
  });

  it("reads the whole queue from the catalog at each scrape, with one query, and the oldest wait's age", async () => {
    const registry = new Registry();
    const seen: unknown[] = [];
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
    taskMetrics(
      registry,
      videos(
        [
          {
            createdAt: minutesAgo(10),
            tasks: {
              langscale: { status: 'running', attempts: 1 },
              subtitle: { status: 'pending', attempts: 0 },
            },
          },
          {
            createdAt: minutesAgo(3),
            tasks: {
              langscale: { status: 'retrying', attempts: 1 },
              subtitle: { status: 'pending', attempts: 0 },
            },
          },
          { createdAt: minutesAgo(1), tasks: { downscale: { status: 'done', attempts: 1 } } },
        ],
        seen,
      ),
    );
    await registry.metrics();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ filter: { status: 'processing' } });
    expect(await value(registry, 'vidp_tasks_waiting', { task: 'subtitle' })).toBe(2);
    expect(await value(registry, 'vidp_tasks_waiting', { task: 'langscale' })).toBe(1);
    expect(await value(registry, 'vidp_tasks_running', { task: 'langscale' })).toBe(1);
    expect(await value(registry, 'vidp_tasks_waiting', { task: 'downscale' })).toBe(0);
    const oldest = (await value(registry, 'vidp_task_oldest_waiting_seconds', {
      task: 'subtitle',
    })) as number;
    expect(oldest).toBeGreaterThanOrEqual(600);
    expect(oldest).toBeLessThan(610);
    expect(await value(registry, 'vidp_task_oldest_waiting_seconds', { task: 'downscale' })).toBe(0);
  });

  it('takes the queue from the read model when it is live, and asks the database when it is not', async () => {
    const registry = new Registry();
    const seen: unknown[] = [];
    let live = true;
    const row = { createdAt: new Date().toISOString(), tasks: { subtitle: { status: 'pending' as const } } };
    taskMetrics(
      registry,
      videos([{ createdAt: row.createdAt, tasks: { subtitle: { status: 'running', attempts: 1 } } }], seen),
      () => (live ? [row, row] : undefined),
    );
    expect(await value(registry, 'vidp_tasks_waiting', { task: 'subtitle' })).toBe(2);
    expect(seen).toHaveLength(0);
    live = false;
    expect(await value(registry, 'vidp_tasks_running', { task: 'subtitle' })).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('keeps the last queue values when the catalog cannot be read', async () => {
    const registry = new Registry();
    let fail = false;
    const collection = {
      find: () => ({
        toArray: async () => {
          if (fail) throw new Error('MongoDB is down');
          return [
            { createdAt: new Date().toISOString(), tasks: { downscale: { status: 'pending', attempts: 0 } } },
          ];
        },
      }),
    } as unknown as Collection<Video>;
    taskMetrics(registry, collection);
    await registry.metrics();
    fail = true;
    await expect(registry.metrics()).resolves.toContain('vidp_tasks_waiting{task="downscale"} 1');
  });
});
