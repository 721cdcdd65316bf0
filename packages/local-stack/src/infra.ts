import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findBinary } from './paths.js';
import { freePort } from './ports.js';
import { type ManagedProcess, spawnManaged } from './process.js';
import { httpOk, portOpen, waitUntil } from './wait.js';

export interface StartedServer {
  port: number;
  process: ManagedProcess;
}

/** A throwaway Redis on loopback: no persistence, its own folder. */
export async function startRedis(opts: {
  dir: string;
  port?: number;
  echo?: boolean;
}): Promise<StartedServer> {
  const port = opts.port ?? (await freePort());
  await mkdir(opts.dir, { recursive: true });
  const process = spawnManaged(
    'redis',
    findBinary('redis-server'),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', opts.dir],
    { echo: opts.echo ?? false },
  );
  await waitUntil(`redis on port ${port}`, () => portOpen(port), 15_000);
  return { port, process };
}

/** FerretDB with its SQLite backend: a real MongoDB-wire server that needs no daemon of its own. */
export async function startFerretDb(opts: {
  dir: string;
  port?: number;
  echo?: boolean;
}): Promise<StartedServer> {
  const port = opts.port ?? (await freePort());
  const dataDir = join(opts.dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const process = spawnManaged(
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
    { echo: opts.echo ?? false },
  );
  await waitUntil(`ferretdb on port ${port}`, () => portOpen(port), 15_000);
  return { port, process };
}

/** Zipkin (in-memory storage) when its jar was provisioned and Java is present; otherwise undefined. */
export async function startZipkin(
  opts: { port?: number; echo?: boolean } = {},
): Promise<StartedServer | undefined> {
  let jar: string;
  let java: string;
  try {
    jar = findBinary('zipkin-server.jar');
    java = findBinary('java');
  } catch {
    return undefined;
  }
  const port = opts.port ?? (await freePort());
  const process = spawnManaged('zipkin', java, ['-Xmx256m', '-XX:+UseSerialGC', '-jar', jar], {
    env: { QUERY_PORT: String(port), STORAGE_TYPE: 'mem', MEM_MAX_SPANS: '100000' },
    echo: opts.echo ?? false,
  });
  // A JVM starting on a busy machine: minutes, not seconds.
  await waitUntil(`zipkin on port ${port}`, () => httpOk(`http://127.0.0.1:${port}/health`), 180_000, 250);
  return { port, process };
}
