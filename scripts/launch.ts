// Starts the whole platform locally from dapr/dapr.yaml: Redis, FerretDB, Zipkin, and every
// app with its daprd sidecar, each under a supervisor that restarts it (with backoff) when it
// exits unexpectedly. Ctrl-C stops everything in order: apps, then sidecars, then the servers.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  daprdArgs,
  findBinary,
  httpOk,
  type ManagedProcess,
  portOpen,
  readRunFile,
  repoRoot,
  type Supervision,
  spawnOwned,
  startFerretDb,
  startRedis,
  startZipkin,
  waitUntil,
} from '@vidp/local-stack';
import { ensureLocalSecrets } from './lib/local-secrets.ts';

// Local defaults; the overrides let a test run a second launcher beside `npm start`'s ports.
const env = process.env;
const stateDir = resolve(env.VIDP_STATE_DIR ?? join(repoRoot, '.vidp'));
const runFile = resolve(env.VIDP_RUN_FILE ?? join(repoRoot, 'dapr', 'dapr.yaml'));
const REDIS_PORT = Number(env.VIDP_REDIS_PORT ?? 6379);
const MONGO_PORT = Number(env.VIDP_MONGO_PORT ?? 27017);
/** 0: no Zipkin. */
const ZIPKIN_PORT = Number(env.VIDP_ZIPKIN_PORT ?? 9411);
// Stopped group by group, in this order; a group's members stop together.
const owned = {
  apps: [] as ManagedProcess[],
  sidecars: [] as ManagedProcess[],
  servers: [] as ManagedProcess[],
};
let stopping = false;

const supervision: Supervision = {
  log: (line) => {
    if (!stopping) console.log(`${'supervisor'.padEnd(16)}| ${line}`);
  },
};
// Children get their own process group: Ctrl-C reaches only the launcher, which stops them in order.
const spawnOpts = { supervise: supervision, detached: true, echo: true };

async function ensureSecrets(): Promise<void> {
  const file = join(stateDir, 'secrets.json');
  const added = await ensureLocalSecrets(file);
  if (added.length) console.log(`generated ${added.join(', ')} in ${file} (git-ignored)`);
}

/** Starts what is not already running; returns the Zipkin spans endpoint, if any. */
async function ensureInfra(): Promise<string | undefined> {
  // Servers found already running are used as they are (and not supervised: not ours).
  if (await portOpen(REDIS_PORT)) console.log(`redis: using the server already on :${REDIS_PORT}`);
  else
    owned.servers.push(
      (await startRedis({ dir: join(stateDir, 'redis'), port: REDIS_PORT, ...spawnOpts })).process,
    );
  if (await portOpen(MONGO_PORT)) console.log(`mongodb: using the server already on :${MONGO_PORT}`);
  else
    owned.servers.push(
      (await startFerretDb({ dir: join(stateDir, 'ferretdb'), port: MONGO_PORT, ...spawnOpts })).process,
    );
  if (ZIPKIN_PORT === 0) return undefined;
  if (!(await portOpen(ZIPKIN_PORT))) {
    const zipkin = await startZipkin({ port: ZIPKIN_PORT, ...spawnOpts });
    if (!zipkin) {
      console.log('zipkin: not provisioned (no Java?): running without trace collection');
      return undefined;
    }
    owned.servers.push(zipkin.process);
  }
  return `http://127.0.0.1:${ZIPKIN_PORT}/api/v2/spans`;
}

async function stopAll(): Promise<void> {
  // Apps finish their in-flight work while sidecars and servers still answer; then the sidecars.
  for (const [name, group] of Object.entries(owned)) {
    await Promise.all(group.map((p) => p.stop()));
    if (group.length) console.log(`stopped the ${name}`);
  }
}

async function main(): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await ensureSecrets();
  const zipkinEndpoint = await ensureInfra();
  const apps = await readRunFile(runFile);
  const daprd = findBinary('daprd');
  for (const a of apps) {
    owned.sidecars.push(
      spawnOwned(
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
        { cwd: repoRoot, ...spawnOpts },
      ),
    );
    const [cmd, ...args] = a.command as [string, ...string[]];
    owned.apps.push(
      spawnOwned(a.appId, cmd === 'node' ? process.execPath : cmd, args, {
        cwd: a.dir,
        ...spawnOpts,
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
  console.log('A process that exits unexpectedly is restarted (see the "supervisor" lines); /ready shows');
  console.log('what an app is missing meanwhile. Press Ctrl-C to stop.\n');
}

// SIGHUP: the terminal was closed; the children, in their own groups, would not hear it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
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
