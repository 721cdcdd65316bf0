import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { freePorts, type ManagedProcess, spawnManaged, waitUntil } from '@vidp/local-stack';
import { stringify } from 'yaml';
import { provisioned } from './k8s.js';

export interface RunningSentry {
  metricsPort: number;
  process: ManagedProcess;
  /** Asks sentry to sign `csr` (PEM) for app `id`, as a sidecar does; resolves with the gRPC status. */
  signCertificate(id: string, csr: string): Promise<number>;
  stop(): Promise<void>;
}

// Protocol buffers by hand, for the one message sent: a length-delimited field, a varint field.
const varint = (n: number): Buffer => {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
};
const bytesField = (field: number, value: string) =>
  Buffer.concat([varint((field << 3) | 2), varint(Buffer.byteLength(value)), Buffer.from(value)]);

/**
 * Dapr's sentry (built by scripts/provision/dapr-sentry.sh) in standalone mode: it makes its own
 * root and issuer certificates in `dir`. It refuses to run as root, so as root it is started as
 * nobody (setpriv).
 */
export async function startSentry(dir: string): Promise<RunningSentry> {
  const bin = provisioned('dapr-sentry.sh');
  const creds = join(dir, 'credentials');
  await mkdir(creds, { recursive: true });
  // Run as nobody, it reads its configuration here and writes its certificates there.
  await chmod(dir, 0o755);
  await chmod(creds, 0o777);
  const config = join(dir, 'daprsystem.yaml');
  await writeFile(
    config,
    stringify({
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Configuration',
      metadata: { name: 'daprsystem' },
      spec: { mtls: { enabled: true, workloadCertTTL: '24h', allowedClockSkew: '15m' } },
    }),
  );
  const [port, healthz, metrics] = (await freePorts(3)) as [number, number, number];
  const args = [
    `--issuer-credentials=${creds}`,
    '--trust-domain=public',
    '--listen-address=127.0.0.1',
    `--port=${port}`,
    '--healthz-listen-address=127.0.0.1',
    `--healthz-port=${healthz}`,
    '--metrics-listen-address=127.0.0.1',
    `--metrics-port=${metrics}`,
    `--config=${config}`,
  ];
  const asRoot = process.getuid?.() === 0;
  const process_ = spawnManaged(
    'sentry',
    asRoot ? 'setpriv' : bin,
    asRoot ? ['--reuid=65534', '--regid=65534', '--clear-groups', bin, ...args] : args,
    { logFile: join(dir, 'sentry.log') },
  );
  await waitUntil(
    'sentry ready',
    async () => (await fetch(`http://127.0.0.1:${healthz}/healthz`)).ok,
    60_000,
    250,
  );
  const ca = await readFile(join(creds, 'ca.crt'));
  return {
    metricsPort: metrics,
    process: process_,
    signCertificate(id, csr) {
      // SignCertificateRequest: id = 1, trust_domain = 3, namespace = 4, certificate_signing_request = 5,
      // token_validator = 6 (INSECURE = 1, what standalone sentry accepts).
      const message = Buffer.concat([
        bytesField(1, id),
        bytesField(3, 'public'),
        bytesField(4, 'vidp'),
        bytesField(5, csr),
        Buffer.from([6 << 3, 1]),
      ]);
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      message.copy(frame, 5);
      return new Promise((resolve, reject) => {
        // Sentry's serving certificate names a SPIFFE id, not a host: trust its CA, skip the name.
        const client = connect(`https://127.0.0.1:${port}`, { ca, checkServerIdentity: () => undefined });
        client.on('error', reject);
        const req = client.request({
          ':method': 'POST',
          ':path': '/dapr.proto.sentry.v1.CA/SignCertificate',
          'content-type': 'application/grpc',
          te: 'trailers',
        });
        let status: number | undefined;
        const note = (h: Record<string, unknown>) => {
          if (h['grpc-status'] !== undefined) status = Number(h['grpc-status']);
        };
        req.on('response', note);
        req.on('trailers', note);
        req.on('error', reject);
        req.on('data', () => undefined);
        req.on('end', () => {
          client.close();
          status === undefined ? reject(new Error('sentry sent no gRPC status')) : resolve(status);
        });
        req.end(frame);
      });
    },
    stop: () => process_.stop(),
  };
}
