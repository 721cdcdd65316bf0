import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findBinary } from './paths.js';
import { freePort } from './ports.js';
import type { ManagedProcess } from './process.js';
import { type Supervision, spawnOwned } from './supervisor.js';
import { httpOk, portOpen, waitUntil } from './wait.js';

export interface StartedServer {
  port: number;
  process: ManagedProcess;
}

export interface ServerOptions {
  dir: string;
  port?: number;
  echo?: boolean;
  /** Restart it when it exits unexpectedly (the launcher, fault tests). */
  supervise?: Supervision;
  /** Its own process group (see SpawnOptions.detached). */
  detached?: boolean;
}

/**
 * Redis on loopback, in its own folder. It holds the Dapr state (the truth of every task) and
 * the pub/sub streams, so it keeps them in an append-only file fsynced at every write: a
 * restart (or a kill -9) loses nothing it acknowledged.
 */
export async function startRedis(opts: ServerOptions): Promise<StartedServer> {
  const port = opts.port ?? (await freePort());
  await mkdir(opts.dir, { recursive: true });
  const process = spawnOwned(
    'redis',
    findBinary('redis-server'),
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      opts.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    { echo: opts.echo ?? false, supervise: opts.supervise, detached: opts.detached ?? false },
  );
  await waitUntil(`redis on port ${port}`, () => portOpen(port), 15_000);
  return { port, process };
}

/** FerretDB with its SQLite backend: a real MongoDB-wire server that needs no daemon of its own. */
export async function startFerretDb(opts: ServerOptions): Promise<StartedServer> {
  const port = opts.port ?? (await freePort());
  const dataDir = join(opts.dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const process = spawnOwned(
    'ferretdb',
    findBinary('ferretdb'),
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${opts.dir}`,
      `--debug-addr=127.0.0.1:${await freePort()}`,
      '--telemetry=disable',
      '--log-level=WARN',
    ],
    { echo: opts.echo ?? false, supervise: opts.supervise, detached: opts.detached ?? false },
  );
  await waitUntil(`ferretdb on port ${port}`, () => portOpen(port), 15_000);
  return { port, process };
}

/** Zipkin (in-memory storage) when its jar was provisioned and Java is present; otherwise undefined. */
export async function startZipkin(opts: Omit<ServerOptions, 'dir'> = {}): Promise<StartedServer | undefined> {
  let jar: string;
  let java: string;
  try {
    jar = findBinary('zipkin-server.jar');
    java = findBinary('java');
  } catch {
    return undefined;
  }
  const port = opts.port ?? (await freePort());
  const process = spawnOwned('zipkin', java, ['-Xmx256m', '-XX:+UseSerialGC', '-jar', jar], {
    env: { QUERY_PORT: String(port), STORAGE_TYPE: 'mem', MEM_MAX_SPANS: '100000' },
    echo: opts.echo ?? false,
    supervise: opts.supervise,
    detached: opts.detached ?? false,
  });
  // A JVM starting on a busy machine: minutes, not seconds.
  await waitUntil(`zipkin on port ${port}`, () => httpOk(`http://127.0.0.1:${port}/health`), 180_000, 250);
  return { port, process };
}
