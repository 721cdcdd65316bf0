import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { combinations, kubernetesBin, manifestsCopy, render, schemasDir } from '../support/k8s.js';
import { type ApiServer, startApiServer } from '../support/kube-apiserver.js';

/**
 * What kubeconform cannot see, a real kube-apiserver (on a real etcd, started here) checks: every
 * rendered combination is applied with `--server-side --dry-run=server` after the Dapr,
 * Prometheus-operator and KEDA CRDs are installed (admission, defaulting, cross-field validation
 * such as a Deployment's selector against its labels, or requests above limits).
 */
describe('Kubernetes manifests: accepted by a real API server (server-side dry run)', () => {
  let dir: string;
  let api: ApiServer;
  let bin: string;

  beforeAll(async () => {
    bin = kubernetesBin();
    const crds = join(schemasDir(), 'crd-yaml');
    dir = await mkdtemp(join(tmpdir(), 'vidp-apiserver-'));
    api = await startApiServer(dir, bin);
    // The CRDs of the kinds VidP uses (Dapr's, the Prometheus operator's, KEDA's), in one apply;
    // server-side: some are too large for the client-side last-applied annotation.
    const used = new Set(['Component', 'Configuration', 'Resiliency', 'Subscription']);
    for (const k of ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'ScaledObject']) used.add(k);
    const files: string[] = [];
    for (const f of (await readdir(crds)).filter((x) => x.endsWith('.yaml'))) {
      const kinds = parseAllDocuments(await readFile(join(crds, f), 'utf8')).map(
        (d) => d.toJS()?.spec?.names?.kind,
      );
      if (kinds.some((k) => used.has(k))) files.push('-f', join(crds, f));
    }
    expect(files.length / 2).toBe(used.size);
    await api.kubectl(['apply', '--server-side', ...files]);
    await api.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    // A dry run cannot create the namespace its objects live in.
    await api.kubectl(['create', 'namespace', 'vidp']);
  }, 240_000);
  afterAll(async () => {
    await api?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('accepts the base, both overlays and every combination of components', async () => {
    const copy = await manifestsCopy(join(dir, 'copy'));
    const refused: string[] = [];
    let applied = 0;
    for (const combo of await combinations(copy)) {
      const file = join(dir, `${combo.name}.yaml`);
      const { yaml, objects } = render(join(bin, 'kubectl'), combo.dir);
      await writeFile(file, yaml);
      const out = await api
        .kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=vidp-test', '-f', file])
        .catch((err: Error) => {
          refused.push(`${combo.name}: ${err.message}`);
          return { stdout: '' };
        });
      // One line per object, e.g. "deployment.apps/main-app serverside-applied (server dry run)".
      const lines = out.stdout.trim().split('\n').filter(Boolean);
      if (out.stdout && lines.length !== objects.length)
        refused.push(`${combo.name}: ${lines.length} of ${objects.length} objects applied`);
      applied += lines.length;
    }
    expect(refused).toEqual([]);
    expect(applied).toBeGreaterThan(18 * 60);
  }, 600_000);

  it('refuses what only the API server catches: a selector that misses its labels, requests above limits', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: mismatched, namespace: vidp }
spec:
  selector: { matchLabels: { app: a } }
  template:
    metadata: { labels: { app: b } }
    spec: { containers: [{ name: c, image: x }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: greedy, namespace: vidp }
spec:
  selector: { matchLabels: { app: g } }
  template:
    metadata: { labels: { app: g } }
    spec:
      containers:
        - name: c
          image: x
          resources: { requests: { cpu: "2" }, limits: { cpu: "1" } }
`,
    );
    const err = await api
      .kubectl(['apply', '--server-side', '--dry-run=server', '-f', bad])
      .then(() => undefined)
      .catch((e: Error) => e.message);
    expect(err).toMatch(/selector`? does not match template `?labels/);
    expect(err).toMatch(/must be less than or equal to cpu limit/);
  });
});
