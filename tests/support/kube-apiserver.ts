import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, type ManagedProcess, spawnManaged, waitUntil } from '@vidp/local-stack';

const run = promisify(execFile);

export interface ApiServer {
  kubeconfig: string;
  /** Runs kubectl against this API server; rejects with its stderr on failure. */
  kubectl(args: string[]): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** openssl without a shell: a key and a certificate signed by `ca` (or self-signed). */
function certificate(dir: string, name: string, subject: string, opts: { ca?: string; san?: string } = {}) {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  execFileSync('openssl', ['genrsa', '-out', key, '2048'], { stdio: 'ignore' });
  if (!opts.ca) {
    execFileSync(
      'openssl',
      ['req', '-x509', '-new', '-key', key, '-subj', subject, '-days', '1', '-out', crt],
      {
        stdio: 'ignore',
      },
    );
    return { key, crt };
  }
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  execFileSync('openssl', ['req', '-new', '-key', key, '-subj', subject, '-out', csr], { stdio: 'ignore' });
  writeFileSync(ext, opts.san ? `subjectAltName=${opts.san}\n` : 'basicConstraints=CA:FALSE\n');
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      `${opts.ca}.crt`,
      '-CAkey',
      `${opts.ca}.key`,
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      ext,
      '-out',
      crt,
    ],
    { stdio: 'ignore' },
  );
  return { key, crt };
}

/**
 * A real kube-apiserver on a real etcd, on loopback ports of their own, with certificates made
 * for this run (an admin client in system:masters). No kubelet, controllers or scheduler: enough
 * to validate and admit objects, including server-side dry runs.
 */
export async function startApiServer(dir: string, bin: string): Promise<ApiServer> {
  const pki = join(dir, 'pki');
  await mkdir(pki, { recursive: true });
  const ca = certificate(pki, 'ca', '/CN=vidp-test-ca');
  const server = certificate(pki, 'apiserver', '/CN=kube-apiserver', {
    ca: join(pki, 'ca'),
    san: 'IP:127.0.0.1,DNS:localhost',
  });
  const admin = certificate(pki, 'admin', '/O=system:masters/CN=admin', { ca: join(pki, 'ca') });
  const saKey = join(pki, 'sa.key');
  const saPub = join(pki, 'sa.pub');
  execFileSync('openssl', ['genrsa', '-out', saKey, '2048'], { stdio: 'ignore' });
  execFileSync('openssl', ['rsa', '-in', saKey, '-pubout', '-out', saPub], { stdio: 'ignore' });

  const [etcdClient, etcdPeer, apiPort] = (await freePorts(3)) as [number, number, number];
  const owned: ManagedProcess[] = [];
  const stop = async () => {
    // kube-apiserver sometimes ignores SIGTERM for a long time: a short grace, then SIGKILL.
    for (const p of owned.reverse()) await p.stop(5000);
  };
  try {
    owned.push(
      spawnManaged(
        'etcd',
        join(bin, 'etcd'),
        [
          '--name=vidp-test',
          `--data-dir=${join(dir, 'etcd')}`,
          `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
          `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
          `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-cluster=vidp-test=http://127.0.0.1:${etcdPeer}`,
          '--log-level=warn',
        ],
        { logFile: join(dir, 'etcd.log') },
      ),
    );
    await waitUntil(
      'etcd',
      async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok,
      60_000,
      200,
    );
    owned.push(
      spawnManaged(
        'kube-apiserver',
        join(bin, 'kube-apiserver'),
        [
          `--etcd-servers=http://127.0.0.1:${etcdClient}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${apiPort}`,
          `--tls-cert-file=${server.crt}`,
          `--tls-private-key-file=${server.key}`,
          `--client-ca-file=${ca.crt}`,
          `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
          `--service-account-key-file=${saPub}`,
          `--service-account-signing-key-file=${saKey}`,
          '--service-cluster-ip-range=10.0.0.0/24',
          '--authorization-mode=RBAC',
          '--endpoint-reconciler-type=none',
          `--cert-dir=${join(dir, 'apiserver-certs')}`,
          '--v=0',
        ],
        { logFile: join(dir, 'kube-apiserver.log') },
      ),
    );
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'test',
            cluster: { server: `https://127.0.0.1:${apiPort}`, 'certificate-authority': ca.crt },
          },
        ],
        users: [{ name: 'admin', user: { 'client-certificate': admin.crt, 'client-key': admin.key } }],
        contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin' } }],
        'current-context': 'test',
      }),
    );
    // kubectl writes its discovery cache here, not under ~/.kube.
    const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kube-cache') };
    const kubectl = (args: string[]) =>
      run(join(bin, 'kubectl'), args, { env, maxBuffer: 64 * 1024 * 1024 }).catch(
        (err: { stderr?: string; message: string }) => {
          throw new Error(`kubectl ${args.join(' ')}: ${err.stderr || err.message}`);
        },
      );
    await waitUntil(
      'kube-apiserver ready',
      async () => (await kubectl(['get', '--raw', '/readyz'])).stdout.trim() === 'ok',
      120_000,
      500,
    );
    return { kubeconfig, kubectl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
