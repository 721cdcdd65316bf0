import { readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HostState,
  hostState,
  hostStateDiff,
  ingress,
  kubectl,
  kubectlJson,
  LAB_DIR,
  labCgroups,
  labSh,
  multipart,
  onNode,
  processesIn,
  stopLabCommands,
} from '../support/lab.js';
import { labVideo } from '../support/lab-video.js';

// VidP as a user runs it on their cluster: a real single-node Kubernetes (kubelet, containerd and
// runc, kube-proxy, CoreDNS, kube-router's NetworkPolicy, metrics-server, Dapr's sentry, operator
// and injector, an Ingress controller), the images built from the project's Dockerfiles, and
// `kubectl apply -k k8s/overlays/lab`. Every step needs the ones before it: after a failure the
// rest fail fast, and the lab is always torn down.
const NS = 'vidp';
const APPS = ['main-app', 'langscale', 'subtitle', 'animal-detect', 'downscale', 'frontend'];
const PROCESSORS = ['langscale', 'subtitle', 'animal-detect', 'downscale'];
const MIN = 60_000;

let before: HostState;
let labNetns = '';
let labId = '';
let apiKey = '';
let broken = '';
const results = { passed: 0, failed: 0 };

/**
 * One step of the lab's story. Once a step failed, the later ones fail at once without running
 * (they need it), except `always` steps (the teardown).
 */
function step(name: string, timeout: number, fn: () => Promise<void>, always = false): void {
  it(
    name,
    async () => {
      try {
        if (broken && !always) throw new Error(`not run: "${broken}" failed before`);
        // Give up a little before vitest does, so that the steps after this one know it failed.
        let timer: NodeJS.Timeout | undefined;
        const giveUp = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`gave up after ${(timeout - 10_000) / 1000} s`)),
            timeout - 10_000,
          );
        });
        await Promise.race([fn(), giveUp]).finally(() => clearTimeout(timer));
        results.passed++;
      } catch (err) {
        broken ||= name;
        results.failed++;
        throw err;
      }
    },
    timeout,
  );
}

const api = (path: string, init: Parameters<typeof ingress>[2] = {}) =>
  ingress('api.vidp.local', path, { ...init, headers: { 'x-api-key': apiKey, ...init.headers } });

async function podsOf(app: string): Promise<any[]> {
  const list = await kubectlJson(['-n', NS, 'get', 'pods', '-l', `app.kubernetes.io/name=${app}`]);
  return list.items.filter((p: any) => !p.metadata.deletionTimestamp);
}

async function upload(title: string, opts: { seconds?: number; tasks?: string } = {}): Promise<string> {
  const form = new FormData();
  form.append('title', title);
  if (opts.tasks) form.append('tasks', opts.tasks);
  form.append('file', new File([await readFile(labVideo(title, opts.seconds))], 'clip.mp4'));
  const { body, contentType } = await multipart(form);
  const res = await api('/api/videos', { method: 'POST', body, headers: { 'content-type': contentType } });
  expect(res.status, res.text()).toBe(201);
  return res.json().video.id;
}

async function videoOf(id: string): Promise<any> {
  const res = await api(`/api/videos/${id}`);
  expect(res.status, res.text()).toBe(200);
  return res.json();
}

async function ended(id: string, timeout: number): Promise<any> {
  await waitUntil('the video to end', async () => (await videoOf(id)).status !== 'processing', timeout, 2000);
  return videoOf(id);
}

function expectDoneRight(v: any): void {
  for (const t of PROCESSORS) {
    expect(v.tasks[t].status, `${t}: ${v.tasks[t].lastError ?? ''}`).toBe('done');
  }
  expect(v.status).toBe('completed');
  expect(v.language).toBe('en');
  expect(v.species).toContain('dog');
}

/** Runs JavaScript with the app container's Node, next to its sidecar (prints what it logs). */
async function inApp(app: string, script: string): Promise<string> {
  // A ready pod: the HPAs may have just added one whose sidecar is not up yet.
  const pods = await podsOf(app);
  const pod = pods.find((p) => p.status.containerStatuses?.every((c: any) => c.ready)) ?? pods[0];
  return kubectl(['-n', NS, 'exec', pod.metadata.name, '-c', app, '--', 'node', '-e', script]);
}

describe('VidP on a real Kubernetes (the lab)', () => {
  beforeAll(async () => {
    before = await hostState();
  });

  afterAll(async () => {
    // Whatever happened, nothing of the lab stays on the machine: a step given up on is ended first.
    await stopLabCommands();
    await labSh(['down']).catch(() => undefined);
    process.stdout.write(`\nKubernetes lab: ${results.passed} passed, ${results.failed} failed\n`);
  }, 5 * MIN);

  step(
    'the lab comes up: control plane, node, DNS, metrics, Ingress controller, Dapr',
    30 * MIN,
    async () => {
      await labSh(['up']);
      const pid = (await readFile(join(LAB_DIR, 'run/init.pid'), 'utf8')).trim();
      labNetns = await readlink(`/proc/${pid}/ns/net`);
      labId = (await onNode(['cat', '/proc/self/cgroup'])).out.match(/vidp-lab-[0-9a-f]{8}/)?.[0] ?? '';
      const nodes = await kubectlJson(['get', 'nodes']);
      const ready = nodes.items.map(
        (n: any) => n.status.conditions.find((c: any) => c.type === 'Ready').status,
      );
      expect(ready).toEqual(['True']);
    },
  );

  step(
    'applies k8s/overlays/lab: every Deployment Available, every app pod with its daprd sidecar',
    40 * MIN,
    async () => {
      await labSh(['deploy']);
      const deployments = await kubectlJson(['-n', NS, 'get', 'deployments']);
      expect(deployments.items.map((d: any) => d.metadata.name).sort()).toEqual([...APPS, 'zipkin'].sort());
      for (const d of deployments.items) {
        const available = d.status.conditions?.find((c: any) => c.type === 'Available');
        expect(available?.status, d.metadata.name).toBe('True');
      }
      for (const app of APPS) {
        for (const pod of await podsOf(app)) {
          const daprd = pod.status.containerStatuses.find((c: any) => c.name === 'daprd');
          expect(daprd, `${pod.metadata.name} has a daprd sidecar`).toBeDefined();
          expect(daprd.ready, `${pod.metadata.name}'s daprd is ready`).toBe(true);
          expect(daprd.image).toMatch(/vidp\.local\/daprd:/);
        }
      }
      const secret = await kubectlJson(['-n', NS, 'get', 'secret', 'vidp-api-key']);
      apiKey = Buffer.from(Object.values(secret.data)[0] as string, 'base64').toString('utf8');
    },
  );

  step('every sidecar serves mTLS with a certificate sentry issued for its app', 5 * MIN, async () => {
    const bundle = await kubectlJson(['-n', 'dapr-system', 'get', 'configmap', 'dapr-trust-bundle']);
    const anchors = join(LAB_DIR, 'run/trust-anchors.pem');
    await writeFile(anchors, bundle.data['ca.crt']);
    for (const app of APPS) {
      const [pod] = await podsOf(app);
      // daprd's internal port, where the other sidecars call it: the chain verifies against sentry's
      // trust anchors, the name is the app's SPIFFE id, and a client without a certificate is refused
      // (TLS 1.3 sends that refusal after the handshake: the client stays a moment to read it).
      const { out } = await onNode([
        'sh',
        '-c',
        `out=$(sleep 3 | openssl s_client -connect ${pod.status.podIP}:50002 -CAfile ${anchors} -verify_return_error -showcerts 2>&1); ` +
          `echo "$out" | grep -E 'Verify return code|certificate required'; echo "$out" | openssl x509 -noout -ext subjectAltName -issuer`,
      ]);
      expect(out, app).toContain('Verify return code: 0 (ok)');
      expect(out, app).toContain('certificate required');
      expect(out, app).toContain(`URI:spiffe://public/ns/${NS}/${app}`);
      expect(out, app).toContain('spiffe://cluster.local/ns/dapr-system/dapr-sentry');
    }
  });

  step('the HPA scales a processor under load', 25 * MIN, async () => {
    // First thing after the deployment, while every processor runs one replica (the base waits 10
    // minutes before scaling down). One-minute videos for downscale only keep it busy: while the HPA
    // does not want a second replica yet, another is sent whenever none of them waits (on a loaded
    // machine one encode may not be enough for the HPA's averaged metric).
    const hpa = () => kubectlJson(['-n', NS, 'get', 'hpa', 'downscale']);
    expect((await podsOf('downscale')).length).toBe(1);
    const ids: string[] = [];
    let sent = 0;
    const load = async () => {
      const n = ++sent; // each name its own bytes (an identical upload is answered as a duplicate)
      ids.push(await upload(`Load ${n}`, { seconds: 60, tasks: 'downscale' }));
    };
    await Promise.all([load(), load()]);
    await waitUntil(
      'the downscale HPA to want a second replica',
      async () => {
        if ((await hpa()).status.desiredReplicas > 1) return true;
        const states = await Promise.all(ids.map(async (id) => (await videoOf(id)).tasks.downscale.status));
        if (!states.includes('pending') && sent < 8) await load();
        return false;
      },
      15 * MIN,
      5000,
    );
    const h = await hpa();
    expect(h.status.currentMetrics?.[0]?.resource?.current?.averageUtilization).toBeGreaterThan(70);
    await waitUntil(
      'the second downscale pod, with its sidecar, to be ready',
      async () => {
        const pods = await podsOf('downscale');
        return pods.length === 2 && pods.every((p) => p.status.containerStatuses?.every((c: any) => c.ready));
      },
      5 * MIN,
      2000,
    );
    for (const id of ids) expect((await ended(id, 10 * MIN)).tasks.downscale.status).toBe('done');
  });

  step(
    'a real video uploaded to api.vidp.local through the Ingress: all four tasks, English, a dog',
    15 * MIN,
    async () => {
      const id = await upload('Dog and JFK through the Ingress');
      const v = await ended(id, 12 * MIN);
      expectDoneRight(v);
      const vtt = v.tasks.subtitle.outputs.find((o: any) => o.filename.endsWith('.vtt'));
      const text = (await api(vtt.url)).text();
      expect(text.startsWith('WEBVTT')).toBe(true);
      expect(text.toLowerCase()).toContain('your country');
      // The images carry what their apps need: VidP's whisper.cpp binding (the model's language
      // probabilities) with the q8_0 model, and animal-detect's detector and classifier.
      const speech = v.tasks.langscale.result;
      expect(speech.engine.binding).toMatch(/^vidp-whisper/);
      expect(speech.engine.model).toBe('ggml-base-q8_0.bin');
      expect(speech.confidence_source).toBe('whisper');
      expect(v.tasks['animal-detect'].result.model).toMatchObject({
        name: 'nanodet-coco-512.onnx',
        classifier: 'efficientnet-lite0-imagenet.onnx',
      });
    },
  );

  step('the front end answers at vidp.local through the Ingress', 3 * MIN, async () => {
    const res = await ingress('vidp.local', '/');
    // The library page, or the sign-in page it sends a visitor without a session to.
    const location = new URL(String(res.headers.location ?? '/'), 'http://vidp.local');
    const page =
      res.status >= 300 && res.status < 400
        ? await ingress('vidp.local', `${location.pathname}${location.search}`)
        : res;
    expect(page.status).toBe(200);
    expect(String(page.headers['content-type'])).toContain('text/html');
    expect(page.text()).toContain('VidP');
  });

  step('Dapr access control refuses a processor call from any app but main-app', 5 * MIN, async () => {
    // Open the network between the apps' sidecars for this check only, so that what answers is
    // Dapr's access control and not a NetworkPolicy.
    await kubectl(['apply', '-f', '-'], OPEN_SIDECARS);
    try {
      const call = (to: string) =>
        `fetch('http://127.0.0.1:3500/v1.0/invoke/${to}/method/health', { headers: { 'dapr-api-token': process.env.DAPR_API_TOKEN ?? '' } })` +
        `.then(async (r) => console.log(r.status, await r.text()), (e) => console.log('error', e.message))`;
      // kube-router rebuilds its rules after a policy change, refusing packets for a moment (seen:
      // a DNS lookup refused): a call is repeated until the callee's sidecar is what answers.
      const answered = async (caller: string, target: string) => {
        let out = '';
        const deadline = Date.now() + 2 * MIN;
        do {
          out = await inApp(caller, call(target));
          if (!/^(500 .*(resolve address|connection refused|i\/o timeout)|error)/s.test(out)) return out;
          await new Promise((r) => setTimeout(r, 2000));
        } while (Date.now() < deadline);
        return out;
      };
      for (const caller of APPS.filter((a) => a !== 'main-app')) {
        const target = caller === 'downscale' ? 'langscale' : 'downscale';
        const out = await answered(caller, target);
        expect(out, `${caller} -> ${target}`).toMatch(/^403 .*access control policy has denied access/s);
      }
      expect(await answered('main-app', 'downscale'), 'main-app -> downscale').toMatch(/^200/);
    } finally {
      await kubectl(['-n', NS, 'delete', 'networkpolicy', 'lab-test-open-sidecars', '--ignore-not-found']);
    }
  });

  step('deleting a processor pod mid-task still ends with the video completed, once', 20 * MIN, async () => {
    const id = await upload('Dog and JFK, a processor pod killed');
    await waitUntil(
      'downscale to start',
      async () => (await videoOf(id)).tasks.downscale.status === 'running',
      5 * MIN,
      500,
    );
    // Every downscale pod, at once and without a grace period: the job in flight dies with them.
    await kubectl([
      '-n',
      NS,
      'delete',
      'pod',
      '-l',
      'app.kubernetes.io/name=downscale',
      '--grace-period=0',
      '--force',
    ]);
    const v = await ended(id, 15 * MIN);
    expectDoneRight(v);
    expect(v.tasks.downscale.attempts).toBeGreaterThan(1);
    // Once: one set of renditions, no output twice, one video in the catalog.
    const names = v.tasks.downscale.outputs.map((o: any) => o.filename);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('poster.jpg');
    const list = (await api('/api/videos?limit=100')).json();
    expect(list.items.filter((x: any) => x.title === 'Dog and JFK, a processor pod killed')).toHaveLength(1);
  });

  step('a NetworkPolicy stops a stray pod from reaching a processor directly', 5 * MIN, async () => {
    const [target] = await podsOf('downscale');
    const ip = target.status.podIP;
    // A pod outside VidP's namespace, where no policy holds it back: what stops it is the
    // processors' own policy (only main-app's pods, only on the sidecar port).
    const image = (await podsOf('main-app'))[0].spec.containers.find((c: any) => c.name === 'main-app').image;
    const probe = `fetch('http://${ip}:8001/health', { signal: AbortSignal.timeout(5000) }).then((r) => console.log('reached', r.status), (e) => console.log('blocked', e.cause?.code ?? e.name))`;
    await kubectl(['apply', '-f', '-'], strayPod(image, probe));
    try {
      await kubectl([
        '-n',
        STRAY_NS,
        'wait',
        '--for=jsonpath={.status.phase}=Succeeded',
        'pod/stray',
        '--timeout=180s',
      ]);
      expect(await kubectl(['-n', STRAY_NS, 'logs', 'stray'])).toMatch(/^blocked/);
    } finally {
      await kubectl(['delete', 'namespace', STRAY_NS, '--wait=false']);
    }
    // The same request from the node (where kubelet's probes come from) is answered.
    const fromNode = await onNode([
      'curl',
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://${ip}:8001/health`,
    ]);
    expect(fromNode.out).toBe('200');
  });

  step(
    'the lab is torn down clean: no process, mount, cgroup, network or kernel setting left',
    5 * MIN,
    async () => {
      await stopLabCommands();
      await labSh(['down']);
      if (labNetns) expect(await processesIn(labNetns)).toEqual([]);
      expect(await labCgroups(labId)).toEqual([]);
      expect(hostStateDiff(before, await hostState())).toEqual([]);
    },
    true,
  );
});

const OPEN_SIDECARS = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lab-test-open-sidecars, namespace: ${NS}}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {}}], ports: [{port: 50002}]}]
  egress:
    - {to: [{podSelector: {}}], ports: [{port: 50002}]}
    # DNS too, so that this policy stands on its own (the base's allow-dns allows it as well).
    - {ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}
`;

const STRAY_NS = 'lab-test-stray';

function strayPod(image: string, script: string): string {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: STRAY_NS } };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'stray', namespace: STRAY_NS },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'probe',
          image,
          imagePullPolicy: 'Never',
          command: ['node', '-e', script],
          securityContext: { runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false },
        },
      ],
    },
  };
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [ns, pod] });
}
