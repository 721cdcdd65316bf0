import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  componentsDir,
  type Daprd,
  repoRoot,
  type Stack,
  startStack,
  TEST_API_KEY,
  waitUntil,
} from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { JFK_WAV } from '../../packages/speech/test/fixtures.js';
import { DARKNET_IMAGES } from '../support/animal-videos.js';
import { FAST_ORCHESTRATION } from '../support/main-app.js';
import {
  metricNames,
  type RunningPrometheus,
  type ScrapeTarget,
  startPrometheus,
} from '../support/prometheus.js';
import { type RunningSentry, startSentry } from '../support/sentry.js';

const PROCESSORS = ['langscale', 'subtitle', 'animal-detect', 'downscale'];
const UPLOAD_ROUTES: Record<string, string> = {
  langscale: '/api/detect/upload',
  subtitle: '/api/subtitles/upload',
  'animal-detect': '/api/animals/upload',
  downscale: '/api/downscale/upload',
};
/** Grafana's variables, as the dashboards are used: VidP's namespace, a 5-minute rate window. */
const GRAFANA_VARIABLES: Record<string, string> = { $namespace: 'vidp', $__rate_interval: '5m' };
/** Alert exprs end with their threshold (observability/alerts/vidp-alerts.yaml says so). */
const THRESHOLD = /\s*(?:[<>]=?|==|!=)\s*[\d.e+-]+\s*$/;

interface ZipkinSpan {
  traceId: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
}
interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}
interface Rule {
  alert: string;
  expr: string;
}

/**
 * The local stack as Kubernetes runs it, watched the way kube-prometheus-stack would: a real
 * Prometheus scrapes every app's /metrics (job vidp-apps), every sidecar (job dapr-sidecars) and
 * a real Dapr sentry (job dapr-sentry), and evaluates VidP's alert rules; the sidecars use the Kubernetes Resiliency (circuit breakers
 * included); Zipkin gets every span. One real video goes through the real processors.
 */
describe('observability: dashboards and alerts on a real Prometheus, one trace in a real Zipkin', () => {
  let stack: Stack;
  let probe: Daprd;
  let prometheus: RunningPrometheus;
  let sentry: RunningSentry;
  let dir: string;
  const traceId = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  const headers = { 'x-api-key': TEST_API_KEY };

  beforeAll(async () => {
    // Dapr resources: the local components, the Kubernetes Resiliency in place of the local one,
    // and a component that cannot initialise (ignoreErrors) for a sidecar of its own ("probe"),
    // so the component-failure metric exists as it would after a bad deploy.
    dir = await mkdtemp(join(tmpdir(), 'vidp-observability-'));
    await chmod(dir, 0o755); // sentry runs as nobody (below)
    const resources = join(dir, 'resources');
    await mkdir(resources, { recursive: true });
    for (const f of await readdir(componentsDir))
      if (f !== 'resiliency.yaml' && f.endsWith('.yaml'))
        await copyFile(join(componentsDir, f), join(resources, f));
    await copyFile(join(repoRoot, 'k8s/base/dapr/resiliency.yaml'), join(resources, 'resiliency.yaml'));
    await writeFile(
      join(resources, 'broken.yaml'),
      stringify({
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'vidp-broken' },
        spec: {
          type: 'state.postgresql',
          version: 'v1',
          ignoreErrors: true,
          initTimeout: '3s',
          metadata: [
            {
              name: 'connectionString',
              value: 'host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=1',
            },
          ],
        },
        scopes: ['probe'],
      }),
    );

    stack = await startStack({
      mongo: true,
      zipkin: true,
      resourcesDir: resources,
      apps: [
        { app: 'main-app', appId: 'main-app', env: { ...FAST_ORCHESTRATION, TASK_LEASE_MS: '30000' } },
        ...PROCESSORS.map((id) => ({ app: id, appId: id })),
      ],
    });
    probe = await stack.startSidecar('probe');
    // Dapr's certificate authority, as in Kubernetes: one sidecar-like request it signs (a real
    // CSR) and one it refuses (no CSR), so its certificate metrics exist.
    sentry = await startSentry(join(dir, 'sentry'));
    execFileSync(
      'openssl',
      [
        ...[
          'req',
          '-new',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-subj',
          '/CN=probe',
        ],
        ...['-keyout', join(dir, 'probe.key'), '-out', join(dir, 'probe.csr')],
      ],
      { stdio: 'ignore' },
    );
    expect(await sentry.signCertificate('probe', await readFile(join(dir, 'probe.csr'), 'utf8'))).toBe(0);
    expect(await sentry.signCertificate('probe', '')).not.toBe(0); // refused

    const apps: ScrapeTarget[] = [];
    const sidecars: ScrapeTarget[] = [];
    for (const [id, { app, daprd }] of stack.apps) {
      apps.push({
        address: `127.0.0.1:${app.port}`,
        labels: { namespace: 'vidp', pod: `${id}-0`, container: id },
      });
      sidecars.push({
        address: `127.0.0.1:${daprd.metricsPort}`,
        labels: { namespace: 'vidp', pod: `${id}-0`, service: `${id}-dapr` },
      });
    }
    sidecars.push({
      address: `127.0.0.1:${probe.metricsPort}`,
      labels: { namespace: 'vidp', pod: 'probe-0', service: 'probe-dapr' },
    });
    const rules = parse(await readFile(join(repoRoot, 'observability/alerts/vidp-alerts.yaml'), 'utf8'));
    const sentryTarget = {
      address: `127.0.0.1:${sentry.metricsPort}`,
      path: '/',
      labels: { namespace: 'dapr-system', pod: 'dapr-sentry-0' },
    };
    prometheus = await startPrometheus({
      dir: join(stack.dir, 'prometheus'),
      jobs: { 'vidp-apps': apps, 'dapr-sidecars': sidecars, 'dapr-sentry': [sentryTarget] },
      ruleGroups: rules.spec.groups,
    });

    for (const id of stack.apps.keys()) {
      await waitUntil(
        `${id} ready`,
        async () => (await fetch(`${stack.get(id).app.url}/ready`)).status === 200,
        120_000,
        250,
      );
    }
    // A real photo of a dog with JFK's speech, uploaded inside a trace of our own.
    const video = join(stack.dir, 'dog-jfk.mp4');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', '10'],
      ...['-i', join(DARKNET_IMAGES, 'dog.jpg'), '-i', JFK_WAV, '-vf', 'scale=640:-2'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', video],
    ]);
    const form = new FormData();
    form.append('file', new File([await readFile(video)], 'dog-jfk.mp4'));
    const api = stack.get('main-app').app.url;
    const res = await fetch(`${api}/api/videos`, {
      method: 'POST',
      body: form,
      headers: { ...headers, traceparent: `00-${traceId}-${'1'.repeat(16)}-01` },
    });
    expect(res.status).toBe(201);
    const { video: created } = (await res.json()) as { video: { id: string } };
    await waitUntil(
      'the video to end',
      async () =>
        ((await (await fetch(`${api}/api/videos/${created.id}`, { headers })).json()) as any).status !==
        'processing',
      300_000,
      500,
    );
    const v = (await (await fetch(`${api}/api/videos/${created.id}`, { headers })).json()) as any;
    expect(v.status, JSON.stringify(v.tasks)).toBe('completed');
    // Prometheus has scraped the end (and evaluated the rules since).
    await waitUntil(
      'the finished tasks in Prometheus',
      async () =>
        Number(
          (await prometheus.query('sum(vidp_tasks_ended_total{outcome="done"})')).result[0]?.value[1],
        ) === 4,
      30_000,
      500,
    );
    await new Promise((r) => setTimeout(r, 5000));
    // Starting five apps with their models and processing a real video: minutes on a busy machine.
  }, 600_000);
  afterAll(async () => {
    await prometheus?.stop();
    await sentry?.stop();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('one trace holds the spans of main-app, its sidecar, and each processor and its sidecar', async () => {
    let spans: ZipkinSpan[] = [];
    const seen = () => spans.map((s) => `${s.localEndpoint?.serviceName} ${s.kind} ${s.name}`);
    const want = [
      'main-app SERVER post /api/videos',
      ...PROCESSORS.flatMap((p) => [
        `main-app CLIENT calllocal/${p}${UPLOAD_ROUTES[p]}`, // main-app's sidecar
        `${p} SERVER calllocal/${p}${UPLOAD_ROUTES[p]}`, // the processor's sidecar
        `${p} SERVER post ${UPLOAD_ROUTES[p]}`, // the processor
      ]),
    ];
    // Apps and sidecars export in batches.
    await waitUntil(
      'every span in Zipkin',
      async () => {
        const r = await fetch(`http://127.0.0.1:${stack.zipkin?.port}/api/v2/trace/${traceId}`);
        spans = r.ok ? ((await r.json()) as ZipkinSpan[]) : [];
        return want.every((w) => seen().includes(w));
      },
      60_000,
      1000,
    ).catch(() => undefined);
    expect(seen()).toEqual(expect.arrayContaining(want));
    // main-app's own span for each task (internal, so Zipkin gives it no kind), parent of its calls.
    for (const p of PROCESSORS) expect(seen()).toContain(`main-app undefined task ${p}`);
  });

  it('every panel query of both dashboards returns data', async () => {
    const empty: string[] = [];
    let queries = 0;
    for (const file of ['vidp-platform.json', 'vidp-dapr-sidecars.json']) {
      const dashboard = JSON.parse(await readFile(join(repoRoot, 'observability/dashboards', file), 'utf8'));
      for (const panel of dashboard.panels as Panel[]) {
        for (const t of panel.targets ?? []) {
          const expr = Object.entries(GRAFANA_VARIABLES).reduce((e, [k, v]) => e.replaceAll(k, v), t.expr);
          queries++;
          const data = await prometheus.query(expr);
          if (!data.result.length) empty.push(`${file} "${panel.title}": ${expr}`);
        }
      }
    }
    expect(queries).toBeGreaterThan(20);
    expect(empty).toEqual([]);
  });

  it('every alert rule loads and evaluates, and its query (without the threshold) returns data', async () => {
    const rules = (
      parse(await readFile(join(repoRoot, 'observability/alerts/vidp-alerts.yaml'), 'utf8')).spec.groups as {
        rules: Rule[];
      }[]
    ).flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(9);
    const empty: string[] = [];
    for (const rule of rules) {
      expect(rule.expr, rule.alert).toMatch(THRESHOLD);
      const query = rule.expr.replace(THRESHOLD, '');
      if (!(await prometheus.query(query)).result.length) empty.push(`${rule.alert}: ${query}`);
    }
    expect(empty).toEqual([]);
    const loaded = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const evaluated = loaded.data.groups.flatMap((g) => g.rules);
    expect(evaluated.map((r) => r.name).sort()).toEqual(rules.map((r) => r.alert).sort());
    expect(
      evaluated.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError}`),
    ).toEqual([]);
  });

  it('every metric the dashboards and alerts name is exported by an app or a sidecar', async () => {
    const exprs: string[] = [];
    for (const file of ['vidp-platform.json', 'vidp-dapr-sidecars.json']) {
      const dashboard = JSON.parse(await readFile(join(repoRoot, 'observability/dashboards', file), 'utf8'));
      for (const panel of dashboard.panels as Panel[])
        for (const t of panel.targets ?? []) exprs.push(t.expr);
    }
    const rules = parse(await readFile(join(repoRoot, 'observability/alerts/vidp-alerts.yaml'), 'utf8'));
    for (const g of rules.spec.groups as { rules: Rule[] }[]) for (const r of g.rules) exprs.push(r.expr);
    const names = new Set<string>();
    for (const e of exprs)
      for (const n of await metricNames(
        prometheus.url,
        Object.entries(GRAFANA_VARIABLES).reduce((x, [k, v]) => x.replaceAll(k, v), e),
      ))
        names.add(n);
    const missing: string[] = [];
    for (const n of names) if (!(await prometheus.query(`count(${n})`)).result.length) missing.push(n);
    expect(names.size).toBeGreaterThan(15);
    expect(missing).toEqual([]);
  });
});
