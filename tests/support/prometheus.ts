import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, type ManagedProcess, spawnManaged, waitUntil } from '@vidp/local-stack';
import { stringify } from 'yaml';
import { provisioned } from './k8s.js';

export interface ScrapeTarget {
  /** host:port */
  address: string;
  path?: string;
  /** Target labels, as the Prometheus operator would set them in Kubernetes. */
  labels: Record<string, string>;
}

export interface RunningPrometheus {
  url: string;
  process: ManagedProcess;
  /** An instant query; throws on a PromQL error. */
  query(
    expr: string,
  ): Promise<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (built by scripts/provision/prometheus.sh) scraping `jobs` every
 * `intervalSec` and evaluating `ruleGroups` (the `groups` of a PrometheusRule) as often.
 */
export async function startPrometheus(opts: {
  dir: string;
  jobs: Record<string, ScrapeTarget[]>;
  ruleGroups?: unknown[];
  intervalSec?: number;
}): Promise<RunningPrometheus> {
  const bin = join(provisioned('prometheus.sh'), 'prometheus');
  const interval = `${opts.intervalSec ?? 2}s`;
  await mkdir(join(opts.dir, 'data'), { recursive: true });
  const rules = join(opts.dir, 'rules.yaml');
  await writeFile(rules, stringify({ groups: opts.ruleGroups ?? [] }));
  const config = join(opts.dir, 'prometheus.yaml');
  await writeFile(
    config,
    stringify({
      global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
      rule_files: [rules],
      scrape_configs: Object.entries(opts.jobs).flatMap(([job, targets]) =>
        // One scrape config per metrics path (sidecars and apps use different ones).
        [...new Set(targets.map((t) => t.path ?? '/metrics'))].map((path, i) => ({
          job_name: i ? `${job}-${i}` : job,
          metrics_path: path,
          static_configs: targets
            .filter((t) => (t.path ?? '/metrics') === path)
            .map((t) => ({ targets: [t.address], labels: { ...t.labels, job } })),
        })),
      ),
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = spawnManaged(
    'prometheus',
    bin,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(opts.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { logFile: join(opts.dir, 'prometheus.log') },
  );
  await waitUntil('prometheus ready', async () => (await fetch(`${url}/-/ready`)).ok, 60_000, 250);
  return {
    url,
    process,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await res.json()) as { status: string; error?: string; data: any };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      return body.data;
    },
    stop: () => process.stop(),
  };
}

/** The metric names a PromQL expression selects, from Prometheus's own parser. */
export async function metricNames(prometheusUrl: string, expr: string): Promise<string[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/parse_query?${new URLSearchParams({ query: expr })}`);
  const body = (await res.json()) as { status: string; error?: string; data: unknown };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (
        (n.type === 'vectorSelector' || n.type === 'matrixSelector') &&
        typeof n.name === 'string' &&
        n.name
      )
        names.add(n.name);
      Object.values(n).forEach(walk);
    }
  };
  walk(body.data);
  return [...names];
}
