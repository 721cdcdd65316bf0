// Starts the whole platform locally from dapr/dapr.yaml: Redis, FerretDB, and every app
// with its daprd sidecar. Ctrl-C stops everything, apps first.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  daprdArgs,
  findBinary,
  httpOk,
  type ManagedProcess,
  portOpen,
  readRunFile,
  repoRoot,
  spawnManaged,
  startFerretDb,
  startRedis,
  startZipkin,
  waitUntil,
} from '@vidp/local-stack';
import { ensureLocalSecrets } from './lib/local-secrets.ts';

const stateDir = join(repoRoot, '.vidp');
const owned: ManagedProcess[] = [];

async function ensureSecrets(): Promise<void> {
  const file = join(stateDir, 'secrets.json');
  const added = await ensureLocalSecrets(file);
  if (added.length) console.log(`generated ${added.join(', ')} in ${file} (git-ignored)`);
}

const ZIPKIN_PORT = 9411;

/** Starts what is not already running; returns the Zipkin spans endpoint, if any. */
async function ensureInfra(): Promise<string | undefined> {
  if (await portOpen(6379)) console.log('redis: using the server already on :6379');
  else owned.push((await startRedis({ dir: join(stateDir, 'redis'), port: 6379 })).process);
  if (await portOpen(27017)) console.log('mongodb: using the server already on :27017');
  else owned.push((await startFerretDb({ dir: join(stateDir, 'ferretdb'), port: 27017 })).process);
  if (!(await portOpen(ZIPKIN_PORT))) {
    const zipkin = await startZipkin({ port: ZIPKIN_PORT });
    if (!zipkin) {
      console.log('zipkin: not provisioned (no Java?): running without trace collection');
      return undefined;
    }
    owned.push(zipkin.process);
  }
  return `http://127.0.0.1:${ZIPKIN_PORT}/api/v2/spans`;
}

async function stopAll(): Promise<void> {
  // Reverse start order: apps before their sidecars, sidecars before the infrastructure.
  for (const p of owned.reverse()) await p.stop();
}

async function main(): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await ensureSecrets();
  const zipkinEndpoint = await ensureInfra();
  const apps = await readRunFile(join(repoRoot, 'dapr', 'dapr.yaml'));
  const daprd = findBinary('daprd');
  for (const a of apps) {
    owned.push(
      spawnManaged(
        `daprd:${a.appId}`,
        daprd,
        daprdArgs({
          ...a,
          httpPort: a.daprHttpPort,
          grpcPort: a.daprGrpcPort,
          resourcesPaths: a.resourcesPaths,
          ...(a.config ? { config: a.config } : {}),
          logLevel: a.logLevel,
        }),
        { cwd: repoRoot, echo: true },
      ),
    );
    const [cmd, ...args] = a.command as [string, ...string[]];
    owned.push(
      spawnManaged(a.appId, cmd === 'node' ? process.execPath : cmd, args, {
        cwd: a.dir,
        echo: true,
        env: {
          ...a.env,
          PORT: String(a.appPort),
          DAPR_HTTP_PORT: String(a.daprHttpPort),
          ...(zipkinEndpoint ? { ZIPKIN_ENDPOINT: zipkinEndpoint } : {}),
        },
      }),
    );
  }
  for (const a of apps) {
    await waitUntil(
      `${a.appId} to be ready`,
      () => httpOk(`http://127.0.0.1:${a.appPort}/ready`),
      90_000,
      500,
    );
  }
  console.log('\nVidP is running:');
  // The web app first: it is where people start.
  const web = apps.find((a) => a.appId === 'frontend');
  if (web)
    console.log(
      `  web app        http://127.0.0.1:${web.appPort}  (password: "vidp-web-password" in ${join(stateDir, 'secrets.json')})`,
    );
  for (const a of apps.filter((x) => x !== web))
    console.log(`  ${a.appId.padEnd(14)} http://127.0.0.1:${a.appPort}  (sidecar :${a.daprHttpPort})`);
  if (zipkinEndpoint) console.log(`  traces         http://127.0.0.1:${ZIPKIN_PORT}/zipkin/`);
  console.log(`  API key        ${join(stateDir, 'secrets.json')} ("vidp-api-key")`);
  console.log('Press Ctrl-C to stop.\n');
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping VidP...');
    stopAll().finally(() => process.exit(0));
  });
}

main().catch(async (err: Error) => {
  console.error(`VidP failed to start: ${err.message}`);
  await stopAll();
  process.exit(1);
});
