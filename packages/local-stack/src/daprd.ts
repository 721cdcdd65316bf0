import { findBinary } from './paths.js';
import { freePorts } from './ports.js';
import type { ManagedProcess } from './process.js';
import { type Supervision, spawnOwned } from './supervisor.js';
import { exitedForGood, httpOk, waitUntil } from './wait.js';

export interface DaprdOptions {
  appId: string;
  appPort?: number;
  resourcesPaths: string[];
  config?: string;
  httpPort?: number;
  grpcPort?: number;
  metricsPort?: number;
  /** Largest request body the sidecar accepts (caller and callee both need it). */
  maxBodySize?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  cwd?: string;
  echo?: boolean;
  logFile?: string;
  /** Restart it when it exits unexpectedly. */
  supervise?: Supervision;
  detached?: boolean;
}

export interface Daprd {
  appId: string;
  httpPort: number;
  grpcPort: number;
  metricsPort: number;
  process: ManagedProcess;
  /** Waits until the sidecar has loaded its components (and reached the app, if `withApp`). */
  ready(withApp?: boolean, timeoutMs?: number): Promise<void>;
}

/** The daprd flags for one sidecar, self-hosted, with no placement or scheduler. */
export function daprdArgs(
  o: Required<Pick<DaprdOptions, 'appId' | 'httpPort' | 'grpcPort' | 'metricsPort'>> & DaprdOptions,
): string[] {
  return [
    '--mode',
    'standalone',
    '--app-id',
    o.appId,
    ...(o.appPort
      ? ['--app-port', String(o.appPort), '--app-protocol', 'http', '--app-channel-address', '127.0.0.1']
      : []),
    '--dapr-http-port',
    String(o.httpPort),
    '--dapr-grpc-port',
    String(o.grpcPort),
    '--metrics-port',
    String(o.metricsPort),
    '--dapr-listen-addresses',
    '127.0.0.1',
    ...o.resourcesPaths.flatMap((p) => ['--resources-path', p]),
    ...(o.config ? ['--config', o.config] : []),
    '--max-body-size',
    o.maxBodySize ?? '4Mi',
    '--placement-host-address',
    '',
    '--scheduler-host-address',
    '',
    '--log-level',
    o.logLevel ?? 'warn',
    '--dapr-graceful-shutdown-seconds',
    '5',
  ];
}

export async function startDaprd(opts: DaprdOptions): Promise<Daprd> {
  const [httpPort, grpcPort, metricsPort] = await freePorts(3);
  const o = {
    ...opts,
    httpPort: opts.httpPort ?? (httpPort as number),
    grpcPort: opts.grpcPort ?? (grpcPort as number),
    metricsPort: opts.metricsPort ?? (metricsPort as number),
  };
  const process = spawnOwned(`daprd:${o.appId}`, findBinary('daprd'), daprdArgs(o), {
    ...(o.cwd ? { cwd: o.cwd } : {}),
    echo: o.echo ?? false,
    ...(o.logFile ? { logFile: o.logFile } : {}),
    supervise: o.supervise,
    detached: o.detached ?? false,
  });
  const base = `http://127.0.0.1:${o.httpPort}`;
  return {
    appId: o.appId,
    httpPort: o.httpPort,
    grpcPort: o.grpcPort,
    metricsPort: o.metricsPort,
    process,
    async ready(withApp = false, timeoutMs = 60_000) {
      const path = withApp ? '/v1.0/healthz' : '/v1.0/healthz/outbound';
      await waitUntil(
        `daprd ${o.appId} ${path}`,
        async () => {
          exitedForGood(process, `daprd ${o.appId}`);
          return httpOk(`${base}${path}`);
        },
        timeoutMs,
      );
    },
  };
}
