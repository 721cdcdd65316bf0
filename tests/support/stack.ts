// Test harness: starts real parts (Redis, FerretDB, daprd sidecars, apps) on free ports,
// in a private folder, and stops them all afterwards.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Daprd,
  freePort,
  renderDaprConfig,
  renderResources,
  type StartedApp,
  type StartedServer,
  startApp,
  startDaprd,
  startFerretDb,
  startRedis,
} from '@vidp/local-stack';

export interface AppSpec {
  /** An app under apps/ (`main-app`), or a fixture app from `fixtureApp()`. */
  app: string;
  appId: string;
  env?: Record<string, string>;
  maxBodySize?: string;
}

export interface RunningApp {
  spec: AppSpec;
  app: StartedApp;
  daprd: Daprd;
}

export interface Stack {
  dir: string;
  redis: StartedServer;
  mongo?: StartedServer;
  secretsFile: string;
  apps: Map<string, RunningApp>;
  get(appId: string): RunningApp;
  startApp(spec: AppSpec): Promise<RunningApp>;
  stop(): Promise<void>;
}

export const fixtureApp = (name: string) => `fixtures/${name}`;

export async function startStack(opts: {
  apps: AppSpec[];
  mongo?: boolean;
  secrets?: Record<string, string>;
}): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'vidp-test-'));
  const redis = await startRedis({ dir: join(dir, 'redis') });
  const mongo = opts.mongo ? await startFerretDb({ dir: join(dir, 'ferretdb') }) : undefined;
  const secretsFile = join(dir, 'secrets.json');
  await writeFile(secretsFile, JSON.stringify(opts.secrets ?? { 'vidp-api-key': 'test-key' }));
  const resources = await renderResources(join(dir, 'resources'), {
    redisHost: `127.0.0.1:${redis.port}`,
    secretsFile,
  });
  const config = await renderDaprConfig(join(dir, 'dapr-config.yaml'));
  const apps = new Map<string, RunningApp>();

  const launch = async (spec: AppSpec): Promise<RunningApp> => {
    const appPort = await freePort();
    const daprd = await startDaprd({
      appId: spec.appId,
      appPort,
      resourcesPaths: [resources],
      config,
      maxBodySize: spec.maxBodySize ?? '600Mi',
      logFile: join(dir, `daprd-${spec.appId}.log`),
    });
    const app = startApp({
      app: spec.app,
      port: appPort,
      daprHttpPort: daprd.httpPort,
      logFile: join(dir, `app-${spec.appId}.log`),
      env: {
        SERVICE_NAME: spec.appId,
        TMP_DIR: join(dir, 'tmp'),
        ...(mongo ? { MONGODB_URL: `mongodb://127.0.0.1:${mongo.port}/vidp` } : {}),
        ...spec.env,
      },
    });
    await app.alive();
    await daprd.ready(true);
    const running = { spec, app, daprd };
    apps.set(spec.appId, running);
    return running;
  };

  const stack: Stack = {
    dir,
    redis,
    ...(mongo ? { mongo } : {}),
    secretsFile,
    apps,
    get(appId) {
      const a = apps.get(appId);
      if (!a) throw new Error(`no app ${appId} in this stack`);
      return a;
    },
    startApp: launch,
    async stop() {
      for (const a of apps.values()) await a.app.process.stop();
      for (const a of apps.values()) await a.daprd.process.stop();
      await mongo?.process.stop();
      await redis.process.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await mkdir(join(dir, 'tmp'));
    for (const spec of opts.apps) await launch(spec);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}
