import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Helpers for tests that drive the Kubernetes lab (scripts/cluster/lab.sh). */

const run = promisify(execFile);
export const REPO = join(import.meta.dirname, '../..');
// Its own folder, so a lab someone started by hand (.vidp/lab) is left alone.
export const LAB_DIR = join(REPO, '.vidp', 'lab-test');
const LAB_SH = join(REPO, 'scripts/cluster/lab.sh');
const env = { ...process.env, VIDP_LAB_DIR: LAB_DIR };

const running = new Set<ChildProcess>();

/** Runs `lab.sh <args>`; its progress lines go to the test's stderr. */
export function labSh(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    // A process group of its own, so that a step given up on (its test timed out) can be ended
    // with everything it started (image builds run outside the lab's namespaces).
    const child = spawn('bash', [LAB_SH, ...args], {
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    running.add(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      running.delete(child);
      code === 0 ? resolve(out) : reject(new Error(`lab.sh ${args[0]} exited with ${code}`));
    });
  });
}

/** Ends every `lab.sh` still running (and what it started): before the teardown of a failed run. */
export async function stopLabCommands(): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    for (const child of running) {
      try {
        process.kill(-(child.pid as number), sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const end = Date.now() + 20_000;
  while (running.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  signal('SIGKILL');
}

/** kubectl against the lab; `input` goes to its stdin (for `apply -f -`). */
export async function kubectl(args: string[], input?: string): Promise<string> {
  const child = run('bash', [LAB_SH, 'kubectl', ...args], { env, maxBuffer: 64 << 20 });
  // A kubectl that ends before reading all of its input must not fail the run with EPIPE.
  child.child.stdin?.on('error', () => undefined);
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    return (await child).stdout;
  } catch (err: any) {
    throw new Error(`kubectl ${args.join(' ')}: ${err.stderr || err.message}`);
  }
}

export async function kubectlJson<T = any>(args: string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
}

/** Runs a command on the lab's node (inside its namespaces), e.g. openssl against a pod IP. */
export async function onNode(cmd: string[], input?: string): Promise<{ code: number; out: string }> {
  const pid = (await readFile(join(LAB_DIR, 'run/init.pid'), 'utf8')).trim();
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', ['-t', pid, '-n', '-m', '-p', '--', ...cmd], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, out }));
    child.stdin.end(input ?? '');
  });
}

export interface IngressResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text(): string;
  json<T = any>(): T;
}

/**
 * One HTTP request to the lab's Ingress (the node's port 80) under a host name, through the Unix
 * socket the lab exposes on this machine: as a browser resolving `host` to the node would send it.
 */
export function ingress(
  host: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<IngressResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: join(LAB_DIR, 'ingress.sock'),
        path,
        method: init.method ?? 'GET',
        headers: { host, ...init.headers },
        timeout: 120_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: () => body.toString('utf8'),
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${host}${path}: no answer within 120 s`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A multipart body the way fetch would send a FormData (boundary included in the content type). */
export async function multipart(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const res = new Response(form);
  return { body: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type')! };
}

// ---- The machine as the lab must leave it -------------------------------------------------------

export interface HostState {
  sysctls: Map<string, string>;
  mounts: Set<string>;
  links: string;
  addresses: string;
  routes: string;
  iptables: string;
}

// Values the kernel changes on its own while anything runs.
const VOLATILE =
  /^(kernel\/ns_last_pid|kernel\/random\/|kernel\/perf_event_max_sample_rate|kernel\/pty\/nr|fs\/(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\/)|net\/netfilter\/nf_conntrack_count)/;

async function sysctls(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const top of ['vm', 'kernel', 'fs', 'net/core', 'net/ipv4', 'net/bridge', 'net/netfilter']) {
    const entries = await readdir(join('/proc/sys', top), { recursive: true, withFileTypes: true }).catch(
      () => [],
    );
    for (const e of entries) {
      if (!e.isFile()) continue;
      const key = join(e.parentPath, e.name).slice('/proc/sys/'.length);
      if (VOLATILE.test(key)) continue;
      const value = await readFile(join(e.parentPath, e.name), 'utf8').catch(() => undefined);
      if (value !== undefined) out.set(key, value.trim());
    }
  }
  return out;
}

async function sh(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args, { maxBuffer: 16 << 20 })).stdout;
}

export async function hostState(): Promise<HostState> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return {
    sysctls: await sysctls(),
    // Mount point and type: IDs change, the set must not.
    mounts: new Set(
      mountinfo
        .trim()
        .split('\n')
        .map((l) => {
          const f = l.split(' ');
          return `${f[4]} ${f[f.indexOf('-') + 1]}`;
        }),
    ),
    links: await sh('ip', ['-o', 'link', 'show']).then((s) => s.replace(/\s+\\\s+link\/.*$/gm, '')),
    addresses: await sh('ip', ['-o', 'addr', 'show']),
    routes: await sh('ip', ['route', 'show', 'table', 'all']),
    // Rules only (counters move).
    iptables: await sh('iptables-save', []).then((s) =>
      s
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.replace(/\[\d+:\d+\]/, ''))
        .join('\n'),
    ),
  };
}

/** What differs between two snapshots of the machine, one line per difference. */
export function hostStateDiff(before: HostState, after: HostState): string[] {
  const diffs: string[] = [];
  for (const [k, v] of before.sysctls) {
    const now = after.sysctls.get(k);
    if (now !== undefined && now !== v) diffs.push(`sysctl ${k}: ${v} -> ${now}`);
  }
  for (const m of after.mounts) if (!before.mounts.has(m)) diffs.push(`mount added: ${m}`);
  for (const k of ['links', 'addresses', 'routes', 'iptables'] as const) {
    if (before[k] !== after[k]) diffs.push(`${k} changed:\n${before[k]}\n---\n${after[k]}`);
  }
  return diffs;
}

/** PIDs of processes still in the network namespace whose inode is `netns` (from `lab netns`). */
export async function processesIn(netns: string): Promise<number[]> {
  const pids: number[] = [];
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const ns = await readlink(`/proc/${p}/ns/net`).catch(() => '');
    if (ns === netns) pids.push(Number(p));
  }
  return pids;
}

/** cgroup folders of the test lab left on the machine. */
export async function labCgroups(labId: string): Promise<string[]> {
  const left: string[] = [];
  for (const h of await readdir('/sys/fs/cgroup')) {
    const entries: string[] = await readdir(join('/sys/fs/cgroup', h)).catch(() => []);
    if (entries.includes(labId)) left.push(join('/sys/fs/cgroup', h, labId));
  }
  return left;
}
