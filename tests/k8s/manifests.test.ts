import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  type Combination,
  combinations,
  type K8sObject,
  kubernetesBin,
  manifestsCopy,
  nginxSizeBytes,
  quantityBytes,
  render,
  schemasDir,
} from '../support/k8s.js';

const APPS = ['main-app', 'langscale', 'subtitle', 'animal-detect', 'downscale', 'frontend'];
const PROCESSORS = ['langscale', 'subtitle', 'animal-detect', 'downscale'];
/** Each processor's upload route (the contract main-app calls). */
const UPLOAD_ROUTES: Record<string, string> = {
  langscale: '/api/detect/upload',
  subtitle: '/api/subtitles/upload',
  'animal-detect': '/api/animals/upload',
  downscale: '/api/downscale/upload',
};
/** Who calls whom through Dapr, and so whose sidecars carry uploads. */
const CALLERS = ['main-app', 'frontend'];
const CALLEES = [...PROCESSORS, 'main-app'];

interface Rendered extends Combination {
  file: string;
  objects: K8sObject[];
}

const of = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: K8sObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job']);
const workloads = (objs: K8sObject[]) => objs.filter((o) => WORKLOADS.has(o.kind));
const podSpec = (w: K8sObject) => w.spec.template.spec;
const allContainers = (w: K8sObject): any[] => [
  ...(podSpec(w).initContainers ?? []),
  ...podSpec(w).containers,
];
const annotations = (w: K8sObject): Record<string, string> => w.spec.template.metadata?.annotations ?? {};
const where = (r: Rendered, o: K8sObject, what = '') =>
  `${r.name}: ${o.kind}/${o.metadata.name}${what ? ` ${what}` : ''}`;

/**
 * Dapr ACL operation names as daprd 1.18 matches them (pkg/config/acl_trie.go): `**` is any number
 * of segments; a lone `*` is one segment but only as the LAST one (elsewhere it matches nothing, as
 * the Kubernetes lab showed).
 */
function operationMatches(pattern: string, path: string): boolean {
  const segs = pattern.split('/');
  const re = segs
    .map((seg, i) =>
      seg === '**'
        ? '.*'
        : seg === '*'
          ? i === segs.length - 1
            ? '[^/]+'
            : '(?!)'
          : seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${re}$`).test(path);
}

describe('Kubernetes manifests: rendered and validated offline', () => {
  let dir: string;
  let kubectl: string;
  let schemas: string;
  let renders: Rendered[];
  const secretValues: string[] = [];

  beforeAll(async () => {
    kubectl = join(kubernetesBin(), 'kubectl');
    schemas = schemasDir();
    dir = await mkdtemp(join(tmpdir(), 'vidp-k8s-'));
    await manifestsCopy(dir);
    for (const f of [
      'api-key',
      'session-secret',
      'web-password',
      'mongodb',
      'redis',
      'dapr-api-token',
      'dapr-app-token',
    ]) {
      for (const line of (await readFile(join(dir, 'k8s/base/secrets', `${f}.env`), 'utf8')).split('\n')) {
        const value = line.slice(line.indexOf('=') + 1);
        if (line.includes('=') && value.length >= 12) secretValues.push(value);
      }
    }
    renders = [];
    for (const combo of await combinations(dir)) {
      const { yaml, objects } = render(kubectl, combo.dir);
      const file = join(dir, `${combo.name}.yaml`);
      await writeFile(file, yaml);
      renders.push({ ...combo, file, objects });
    }
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders the base, both overlays and every combination of the opt-in components', () => {
    // base and dev: 2^3 subsets each; prod already has network policies and monitoring: 2.
    expect(renders.map((r) => r.name)).toHaveLength(18);
    for (const r of renders) {
      expect(named(r.objects, 'Namespace', 'vidp'), r.name).toBeDefined();
      for (const app of APPS) expect(named(r.objects, 'Deployment', app), `${r.name} ${app}`).toBeDefined();
      expect(r.objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'vidp')).toBe(true);
    }
    const prod = renders.find((r) => r.name === 'prod');
    expect(of(prod?.objects ?? [], 'NetworkPolicy').length).toBeGreaterThan(5);
    expect(of(prod?.objects ?? [], 'PrometheusRule')).toHaveLength(1);
    expect(of(renders.find((r) => r.name === 'base+keda')?.objects ?? [], 'ScaledObject')).toHaveLength(4);
  });

  it('each kustomization a user applies puts every object it makes in VidP namespace, its components too', () => {
    // As `kubectl apply -k <dir>` reads them, without the wrapper the combinations above add: an
    // overlay without `namespace:` would leave its components' objects in `default`.
    for (const root of ['k8s', 'k8s/overlays/dev', 'k8s/overlays/prod', 'k8s/overlays/lab']) {
      const stray = render(kubectl, join(dir, root))
        .objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'vidp')
        .map((o) => `${o.kind}/${o.metadata.name} in ${o.metadata.namespace ?? '(none)'}`);
      expect(stray, root).toEqual([]);
    }
  });

  it('passes kubeconform (strict) against the Kubernetes and CRD schemas, with no object unchecked', () => {
    const kubeconform = (files: string[]) => {
      const res = spawnSync(
        join(schemas, 'bin/kubeconform'),
        [
          '-strict',
          '-summary',
          '-output',
          'json',
          '-schema-location',
          join(schemas, 'k8s/{{ .ResourceKind }}{{ .KindSuffix }}.json'),
          '-schema-location',
          join(schemas, 'crds/{{ .Group }}_{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
          ...files,
        ],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      return JSON.parse(res.stdout) as {
        resources?: { filename: string; kind: string; name: string; status: string; msg: string }[];
        summary: { valid: number; invalid: number; errors: number; skipped: number };
      };
    };
    const out = kubeconform(renders.map((r) => r.file));
    const bad = (out.resources ?? []).filter((x) => x.status !== 'statusValid');
    expect(bad.map((x) => `${x.filename} ${x.kind}/${x.name}: ${x.status} ${x.msg}`)).toEqual([]);
    expect(out.summary.invalid + out.summary.errors + out.summary.skipped).toBe(0);
    expect(out.summary.valid).toBe(renders.reduce((n, r) => n + r.objects.length, 0));
  });

  it('kubeconform does catch a broken object (the schemas are really used)', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(
      broken,
      [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\nspec: { replicas: two, selector: {}, template: {} }',
        'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: { name: y }\nspec: { type: state.redis, version: v1, metadata: [], colour: blue }',
        'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: { name: z }\nspec: { endpoints: [{ port: 9090 }] }',
      ].join('\n---\n'),
    );
    const res = spawnSync(
      join(schemas, 'bin/kubeconform'),
      [
        '-strict',
        '-summary',
        '-schema-location',
        join(schemas, 'k8s/{{ .ResourceKind }}{{ .KindSuffix }}.json'),
        '-schema-location',
        join(schemas, 'crds/{{ .Group }}_{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
        broken,
      ],
      { encoding: 'utf8' },
    );
    expect(res.status).not.toBe(0);
    expect(res.stdout).toMatch(/Invalid: 3/);
  });

  describe('rules on every rendered object', () => {
    const violations = (check: (r: Rendered, add: (msg: string) => void) => void) => {
      const found: string[] = [];
      for (const r of renders) check(r, (msg) => found.push(msg));
      return found;
    };

    it('every app is Dapr-annotated with its app id, port, configuration, sidecar limits and shutdown', () => {
      expect(
        violations((r, add) => {
          const config =
            named(r.objects, 'ConfigMap', 'vidp-config') ??
            of(r.objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('vidp-config'));
          const shutdownMs = Number(config?.data?.SHUTDOWN_TIMEOUT_MS);
          for (const app of APPS) {
            const d = named(r.objects, 'Deployment', app);
            if (!d) {
              add(`${r.name}: no Deployment ${app}`);
              continue;
            }
            const a = annotations(d);
            const port = podSpec(d).containers[0].ports?.find((p: any) => p.name === 'http')?.containerPort;
            const expect: Record<string, string | undefined> = {
              'dapr.io/enabled': 'true',
              'dapr.io/app-id': app,
              'dapr.io/app-port': String(port),
              'dapr.io/app-protocol': 'http',
              'dapr.io/log-as-json': 'true',
              'dapr.io/enable-metrics': 'true',
              'dapr.io/enable-app-health-check': 'true',
              'dapr.io/api-token-secret': 'vidp-dapr-api-token',
              'dapr.io/app-token-secret': 'vidp-dapr-app-token',
            };
            for (const [k, v] of Object.entries(expect))
              if (a[k] !== v) add(where(r, d, `${k}=${a[k]} (want ${v})`));
            for (const k of [
              'dapr.io/max-body-size',
              'dapr.io/read-buffer-size',
              'dapr.io/metrics-port',
              'dapr.io/app-health-check-path',
              'dapr.io/app-health-probe-interval',
              'dapr.io/app-health-probe-timeout',
              'dapr.io/app-health-threshold',
            ])
              if (!a[k]) add(where(r, d, `has no ${k}`));
            if (!named(r.objects, 'Configuration', a['dapr.io/config'] ?? ''))
              add(where(r, d, `names Configuration ${a['dapr.io/config']}, which is not rendered`));
            const req = quantityBytes(a['dapr.io/sidecar-memory-request'] ?? 'x0');
            const lim = quantityBytes(a['dapr.io/sidecar-memory-limit'] ?? 'x0');
            const goMem = /GOMEMLIMIT=(\d+)MiB/.exec(a['dapr.io/env'] ?? '')?.[1];
            if (!(req <= lim) || !goMem || Number(goMem) * 2 ** 20 >= lim)
              add(where(r, d, 'sidecar memory: request <= limit and GOMEMLIMIT under the limit'));
            if (!a['dapr.io/sidecar-cpu-request'] || !a['dapr.io/sidecar-cpu-limit'])
              add(where(r, d, 'sidecar CPU'));
            // The sidecar outlives in-flight work, and the pod outlives the sidecar.
            const graceful = Number(a['dapr.io/graceful-shutdown-seconds']);
            if (!(graceful > 5) || !(graceful <= podSpec(d).terminationGracePeriodSeconds))
              add(where(r, d, `graceful-shutdown-seconds ${graceful} vs terminationGracePeriodSeconds`));
            if (app !== 'frontend' && !(shutdownMs / 1000 <= graceful))
              add(
                where(r, d, `SHUTDOWN_TIMEOUT_MS ${shutdownMs} longer than the sidecar's graceful shutdown`),
              );
          }
        }),
      ).toEqual([]);
    });

    it("max-body-size on every caller's and callee's sidecar is at least the Ingress body limit", () => {
      expect(
        violations((r, add) => {
          const ingress = of(r.objects, 'Ingress')[0];
          const limit = nginxSizeBytes(
            ingress?.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-body-size'] ?? '0',
          );
          if (limit < 500 * 2 ** 20) add(`${r.name}: the Ingress takes less than 500 MiB`);
          const config = of(r.objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('vidp-config'));
          if (Number(config?.data?.MAX_UPLOAD_BYTES) > limit)
            add(`${r.name}: MAX_UPLOAD_BYTES above the Ingress limit`);
          for (const app of new Set([...CALLERS, ...CALLEES])) {
            const d = named(r.objects, 'Deployment', app);
            const size = annotations(d as K8sObject)['dapr.io/max-body-size'];
            if (!size || quantityBytes(size) < limit)
              add(`${r.name}: ${app} max-body-size ${size} < ${limit} bytes`);
          }
        }),
      ).toEqual([]);
    });

    it('every long-running container has liveness and readiness probes; apps probe /health and /ready', () => {
      expect(
        violations((r, add) => {
          for (const w of workloads(r.objects).filter((x) => x.kind !== 'Job')) {
            for (const c of podSpec(w).containers) {
              if (!c.livenessProbe || !c.readinessProbe) add(where(r, w, `${c.name} lacks a probe`));
            }
          }
          for (const app of APPS) {
            const c = podSpec(named(r.objects, 'Deployment', app) as K8sObject).containers[0];
            // Liveness never depends on other services: an outage must not restart the app.
            if (c.livenessProbe?.httpGet?.path !== '/health')
              add(`${r.name}: ${app} liveness is not /health`);
            if (c.readinessProbe?.httpGet?.path !== '/ready')
              add(`${r.name}: ${app} readiness is not /ready`);
            if (!c.startupProbe) add(`${r.name}: ${app} has no startup probe`);
          }
        }),
      ).toEqual([]);
    });

    it('every container has CPU and memory requests and limits, requests within limits', () => {
      expect(
        violations((r, add) => {
          for (const w of workloads(r.objects)) {
            for (const c of allContainers(w)) {
              const { requests = {}, limits = {} } = c.resources ?? {};
              for (const res of ['cpu', 'memory']) {
                if (!requests[res] || !limits[res]) add(where(r, w, `${c.name} ${res} request/limit`));
              }
              const cpu = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
              if (cpu(String(requests.cpu)) > cpu(String(limits.cpu)))
                add(where(r, w, `${c.name} cpu request > limit`));
              if (quantityBytes(String(requests.memory)) > quantityBytes(String(limits.memory)))
                add(where(r, w, `${c.name} memory request > limit`));
            }
          }
        }),
      ).toEqual([]);
    });

    it('every pod runs non-root with seccomp, every container read-only with no capabilities', () => {
      expect(
        violations((r, add) => {
          for (const w of workloads(r.objects)) {
            const pod = podSpec(w).securityContext ?? {};
            if (pod.runAsNonRoot !== true) add(where(r, w, 'runAsNonRoot'));
            if (!(pod.runAsUser > 0)) add(where(r, w, 'numeric non-root runAsUser'));
            if (pod.seccompProfile?.type !== 'RuntimeDefault') add(where(r, w, 'seccomp RuntimeDefault'));
            if (podSpec(w).hostNetwork || podSpec(w).hostPID) add(where(r, w, 'host namespaces'));
            for (const c of allContainers(w)) {
              const s = c.securityContext ?? {};
              if (s.allowPrivilegeEscalation !== false)
                add(where(r, w, `${c.name} allowPrivilegeEscalation`));
              if (s.readOnlyRootFilesystem !== true) add(where(r, w, `${c.name} readOnlyRootFilesystem`));
              if (!s.capabilities?.drop?.includes('ALL') || s.capabilities?.add?.length)
                add(where(r, w, `${c.name} capabilities`));
              if (s.privileged) add(where(r, w, `${c.name} privileged`));
            }
            // Temp media is size-limited.
            for (const v of podSpec(w).volumes ?? [])
              if (v.emptyDir && !v.emptyDir.sizeLimit)
                add(where(r, w, `emptyDir ${v.name} has no sizeLimit`));
          }
        }),
      ).toEqual([]);
    });

    it('holds no plaintext secret: Secrets come only from the git-ignored env files', async () => {
      // Nothing committed is a Secret.
      const committed = execFileSync('git', ['ls-files', 'k8s', 'observability'], {
        cwd: repoRoot,
        encoding: 'utf8',
      })
        .split('\n')
        .filter((f) => /\.ya?ml$/.test(f));
      for (const f of committed) {
        const docs = parseAllDocuments(await readFile(join(repoRoot, f), 'utf8')).map((d) => d.toJS());
        expect(
          docs.filter((d) => d?.kind === 'Secret' || d?.stringData),
          f,
        ).toEqual([]);
      }
      const SENSITIVE_ENV = /(PASSWORD|TOKEN|API_KEY|KEYFILE|CREDENTIALS?)$/;
      const SENSITIVE_META = /password|token|secret/i;
      expect(
        violations((r, add) => {
          for (const w of workloads(r.objects)) {
            for (const c of allContainers(w)) {
              for (const e of c.env ?? []) {
                if (SENSITIVE_ENV.test(e.name) && e.value !== undefined)
                  add(where(r, w, `${c.name} env ${e.name} is a literal`));
                if (typeof e.value === 'string' && /:\/\/[^:/@$]+:[^@$]+@/.test(e.value))
                  add(where(r, w, `${c.name} env ${e.name} holds credentials`));
              }
            }
          }
          for (const comp of of(r.objects, 'Component')) {
            for (const m of comp.spec.metadata ?? [])
              if (SENSITIVE_META.test(m.name) && m.value !== undefined)
                add(where(r, comp, `metadata ${m.name} is a literal`));
          }
          // No generated secret value leaks outside its Secret (raw or base64).
          const outside = JSON.stringify(r.objects.filter((o) => o.kind !== 'Secret'));
          for (const v of secretValues) {
            if (outside.includes(v) || outside.includes(Buffer.from(v).toString('base64')))
              add(`${r.name}: a secret value appears outside its Secret`);
          }
        }),
      ).toEqual([]);
    });

    it("every component's, subscription's and policy's scopes name real app ids", () => {
      expect(
        violations((r, add) => {
          const ids = new Set(
            r.objects
              .flatMap((o) => (WORKLOADS.has(o.kind) ? [annotations(o)['dapr.io/app-id']] : []))
              .filter(Boolean),
          );
          for (const o of [...of(r.objects, 'Component'), ...of(r.objects, 'Subscription')]) {
            if (!o.scopes?.length) add(where(r, o, 'has no scopes'));
            for (const s of o.scopes ?? []) if (!ids.has(s)) add(where(r, o, `scope ${s} is no app id`));
          }
          for (const c of of(r.objects, 'Configuration'))
            for (const p of c.spec.accessControl?.policies ?? [])
              if (!ids.has(p.appId)) add(where(r, c, `policy for ${p.appId}, no such app`));
          for (const res of of(r.objects, 'Resiliency'))
            for (const id of Object.keys(res.spec.targets?.apps ?? {}))
              if (!ids.has(id)) add(where(r, res, `target ${id} is no app id`));
        }),
      ).toEqual([]);
    });

    it('access control denies by default; only main-app may call the processors, on their upload, health and readiness routes', () => {
      expect(
        violations((r, add) => {
          for (const app of APPS) {
            const d = named(r.objects, 'Deployment', app) as K8sObject;
            const conf = named(r.objects, 'Configuration', annotations(d)['dapr.io/config'] ?? '');
            const acl = conf?.spec.accessControl;
            if (acl?.defaultAction !== 'deny')
              add(`${r.name}: ${app}'s Configuration does not deny by default`);
            for (const p of acl?.policies ?? []) {
              if (p.defaultAction !== 'deny')
                add(`${r.name}: ${app}'s policy for ${p.appId} allows by default`);
              if (!p.namespace || !p.trustDomain)
                add(`${r.name}: ${app}'s policy for ${p.appId} names no namespace or trust domain`);
            }
            if (!PROCESSORS.includes(app)) continue;
            const callers = (acl?.policies ?? []).map((p: any) => p.appId);
            if (JSON.stringify(callers) !== '["main-app"]')
              add(`${r.name}: ${app} may be called by ${callers}`);
            const ops: any[] = acl?.policies?.[0]?.operations ?? [];
            const allowed = (path: string, verb: string) =>
              ops.some(
                (o) =>
                  o.action === 'allow' &&
                  operationMatches(o.name, path) &&
                  (o.httpVerb.includes(verb) || o.httpVerb.includes('*')),
              );
            if (!allowed(UPLOAD_ROUTES[app] as string, 'POST'))
              add(`${r.name}: main-app cannot POST ${app}'s upload`);
            if (!allowed('/health', 'GET')) add(`${r.name}: main-app cannot GET ${app}'s /health`);
            // main-app claims a processor's tasks only while its /ready answers through Dapr.
            if (!allowed('/ready', 'GET')) add(`${r.name}: main-app cannot GET ${app}'s /ready`);
            for (const [path, verb] of [
              ['/metrics', 'GET'],
              [UPLOAD_ROUTES[app] as string, 'GET'],
              ['/api/animals/species', 'GET'],
              ['/dapr/config', 'GET'],
            ] as const)
              if (allowed(path, verb)) add(`${r.name}: main-app may ${verb} ${app}'s ${path}`);
            for (const o of ops)
              if (o.httpVerb.includes('*')) add(`${r.name}: ${app} allows every verb on ${o.name}`);
          }
        }),
      ).toEqual([]);
    });

    it('every Secret and ConfigMap key a workload, annotation, component, role or scope names is rendered', () => {
      expect(
        violations((r, add) => {
          const secrets = new Map(
            of(r.objects, 'Secret').map((s) => [s.metadata.name, Object.keys(s.data ?? {})]),
          );
          const maps = new Map(
            of(r.objects, 'ConfigMap').map((c) => [c.metadata.name, Object.keys(c.data ?? {})]),
          );
          const need = (from: string, name: string, key?: string) => {
            const keys = secrets.get(name);
            if (!keys) add(`${r.name}: ${from} names Secret ${name}, which is not rendered`);
            else if (key && !keys.includes(key)) add(`${r.name}: ${from} names ${name}/${key}, no such key`);
          };
          for (const w of workloads(r.objects)) {
            const a = annotations(w);
            for (const k of ['dapr.io/api-token-secret', 'dapr.io/app-token-secret'])
              if (a[k]) need(where(r, w, k), a[k], 'token');
            for (const c of allContainers(w)) {
              for (const e of c.env ?? []) {
                const s = e.valueFrom?.secretKeyRef;
                if (s) need(where(r, w, `env ${e.name}`), s.name, s.key);
                const m = e.valueFrom?.configMapKeyRef;
                if (m && !maps.get(m.name)?.includes(m.key))
                  add(where(r, w, `env ${e.name}: no ConfigMap key ${m.name}/${m.key}`));
              }
              for (const f of c.envFrom ?? []) {
                if (f.secretRef) need(where(r, w, 'envFrom'), f.secretRef.name);
                if (f.configMapRef && !maps.has(f.configMapRef.name))
                  add(where(r, w, `envFrom ConfigMap ${f.configMapRef.name}`));
              }
            }
            for (const v of podSpec(w).volumes ?? []) {
              if (v.secret)
                for (const i of v.secret.items ?? [{}])
                  need(where(r, w, `volume ${v.name}`), v.secret.secretName, i.key);
              if (v.configMap && !maps.has(v.configMap.name))
                add(where(r, w, `volume ConfigMap ${v.configMap.name}`));
            }
          }
          for (const comp of of(r.objects, 'Component'))
            for (const m of comp.spec.metadata ?? [])
              if (m.secretKeyRef) need(where(r, comp, m.name), m.secretKeyRef.name, m.secretKeyRef.key);
          for (const role of of(r.objects, 'Role'))
            for (const rule of role.rules ?? [])
              if (rule.resources?.includes('secrets'))
                for (const n of rule.resourceNames ?? []) need(where(r, role), n);
          for (const conf of of(r.objects, 'Configuration'))
            for (const scope of conf.spec.secrets?.scopes ?? [])
              for (const n of scope.allowedSecrets ?? []) need(where(r, conf), n);
        }),
      ).toEqual([]);
    });

    it('Services, the Ingress, PDBs and HPAs point at what exists', () => {
      expect(
        violations((r, add) => {
          const pods = workloads(r.objects).map((w) => ({
            w,
            labels: w.spec.template.metadata?.labels ?? {},
          }));
          const selects = (sel: Record<string, string>) =>
            pods.filter(({ labels }) => Object.entries(sel).every(([k, v]) => labels[k] === v));
          for (const svc of of(r.objects, 'Service')) {
            const targets = selects(svc.spec.selector ?? {});
            if (!targets.length) add(where(r, svc, 'selects no pods'));
            for (const p of svc.spec.ports) {
              const ports = targets.flatMap(({ w }) => allContainers(w).flatMap((c) => c.ports ?? []));
              if (typeof p.targetPort === 'string' && !ports.some((x: any) => x.name === p.targetPort))
                add(where(r, svc, `targetPort ${p.targetPort} is no container port`));
            }
          }
          for (const ing of of(r.objects, 'Ingress'))
            for (const rule of ing.spec.rules)
              for (const path of rule.http.paths) {
                const b = path.backend.service;
                const svc = named(r.objects, 'Service', b.name);
                if (!svc?.spec.ports.some((p: any) => p.port === b.port.number))
                  add(where(r, ing, `${rule.host} -> ${b.name}:${b.port.number}`));
              }
          for (const pdb of of(r.objects, 'PodDisruptionBudget'))
            if (!selects(pdb.spec.selector.matchLabels).length) add(where(r, pdb, 'selects no pods'));
          for (const hpa of of(r.objects, 'HorizontalPodAutoscaler')) {
            const d = named(r.objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
            if (!d) add(where(r, hpa, 'targets nothing'));
            // A server-side apply would fight the autoscaler over replicas.
            else if (d.spec.replicas !== undefined) add(where(r, d, 'sets replicas but is autoscaled'));
          }
          for (const so of of(r.objects, 'ScaledObject')) {
            if (!named(r.objects, 'Deployment', so.spec.scaleTargetRef.name))
              add(where(r, so, 'targets nothing'));
            if (named(r.objects, 'HorizontalPodAutoscaler', so.spec.scaleTargetRef.name))
              add(where(r, so, 'and an HPA both scale it'));
          }
        }),
      ).toEqual([]);
    });

    it("with network policies: deny by default, and processors' sidecars reachable only from main-app", () => {
      const withPolicies = renders.filter((r) => of(r.objects, 'NetworkPolicy').length);
      expect(withPolicies.length).toBeGreaterThan(0);
      expect(
        violations((r, add) => {
          const policies = of(r.objects, 'NetworkPolicy');
          if (!policies.length) return;
          const deny = policies.find(
            (p) => JSON.stringify(p.spec.podSelector) === '{}' && !p.spec.ingress && !p.spec.egress,
          );
          if (!deny?.spec.policyTypes.includes('Ingress') || !deny.spec.policyTypes.includes('Egress'))
            add(`${r.name}: no default-deny policy`);
          const toProcessors = policies.filter(
            (p) => p.spec.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'processor',
          );
          const rules = toProcessors.flatMap((p) => p.spec.ingress ?? []);
          const onDapr = rules.filter((x: any) => x.ports?.some((p: any) => p.port === 50002));
          if (!onDapr.length) add(`${r.name}: processors' sidecar port is never opened`);
          for (const x of onDapr)
            for (const from of x.from ?? [])
              if (
                from.podSelector?.matchLabels?.['app.kubernetes.io/name'] !== 'main-app' ||
                from.namespaceSelector
              )
                add(`${r.name}: processors' sidecar port open to ${JSON.stringify(from)}`);
        }),
      ).toEqual([]);
    });
  });
});
