// A private stack for tests and benchmarks: real Redis, FerretDB, daprd sidecars and apps
// on free ports, in a throwaway folder, all stopped (and the folder removed) by stop().
// With `supervise`, every process is restarted when it dies, as the launcher does.
import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StartedApp, startApp } from './app.js';
import { type Daprd, startDaprd } from './daprd.js';
import { type StartedServer, startFerretDb, startRedis, startZipkin } from './infra.js';
import { repoRoot } from './paths.js';
import { freePort } from './ports.js';
import type { ManagedProcess } from './process.js';
import { renderDaprConfig, renderResources } from './resources.js';
import { isSupervised, type RestartEvent, type RestartPolicy, type Supervision } from './supervisor.js';

export interface AppSpec {
  /** An app under apps/ (`main-app`), or a fixture app from `fixtureApp()`. */
  app: string;
  appId: string;
  /** How the stack names this process (default: the app id); lets two replicas share an app id. */
  name?: string;
  env?: Record<string, string>;
  maxBodySize?: string;
}

const nameOf = (spec: AppSpec) => spec.name ?? spec.appId;

export interface RunningApp {
  spec: AppSpec;
  app: StartedApp;
  daprd: Daprd;
}

export interface Stack {
  dir: string;
  redis: StartedServer;
  mongo?: StartedServer;
  /** Present when asked for and provisioned: apps and sidecars report their spans to it. */
  zipkin?: StartedServer;
  secretsFile: string;
  apps: Map<string, RunningApp>;
  /** Every unexpected exit the supervisors saw (empty without `supervise`). */
  restarts: RestartEvent[];
  get(appId: string): RunningApp;
  startApp(spec: AppSpec): Promise<RunningApp>;
  /**
   * Starts an app's process again (same port, same sidecar), e.g. after a kill -9. Supervised,
   * it stops the current run and waits for the supervisor's restart.
   */
  restartApp(appId: string): Promise<RunningApp>;
  /** A sidecar with no app behind it: a client that only calls out (benchmarks). */
  startSidecar(appId: string): Promise<Daprd>;
  stop(): Promise<void>;
}

export const fixtureApp = (name: string) => `fixtures/${name}`;

/** The API key every test stack's secret store holds unless told otherwise. */
export const TEST_API_KEY = 'test-api-key-0123456789abcdef';

export interface StackOptions {
  apps: AppSpec[];
  mongo?: boolean;
  zipkin?: boolean;
  secrets?: Record<string, string>;
  /** Restart every process that exits unexpectedly (see supervisor.ts), with this policy. */
  supervise?: boolean | Partial<RestartPolicy>;
  /** Resiliency timeouts replaced by policy name (e.g. `{ processing: '5s' }`). */
  timeouts?: Record<string, string>;
  /** The checkout to run (bundles, components, Dapr config); default this one. */
  root?: string;
  /** Dapr resources to run instead of components/ (a test's variant of them). */
  resourcesDir?: string;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'vidp-test-'));
  const root = opts.root ?? repoRoot;
  const restarts: RestartEvent[] = [];
  const supervision: Supervision | undefined = opts.supervise
    ? {
        ...(typeof opts.supervise === 'object' ? { policy: opts.supervise } : {}),
        log: (line) => appendFileSync(join(dir, 'supervisor.log'), `${new Date().toISOString()} ${line}\n`),
        onExit: (e) => restarts.push(e),
      }
    : undefined;
  const supervised = supervision ? { supervise: supervision } : {};
  // Everything started is stopped in reverse order, also when starting fails half-way.
  const owned: ManagedProcess[] = [];
  const own = <T extends { process: ManagedProcess }>(started: T): T => {
    owned.push(started.process);
    return started;
  };
  const stopAll = async () => {
    for (const p of owned.reverse()) await p.stop();
    // VIDP_KEEP_STACK=1 keeps the folder (logs of every app and sidecar) for a post-mortem.
    if (process.env.VIDP_KEEP_STACK) console.log(`stack kept in ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  };

  try {
    await mkdir(join(dir, 'tmp'));
    const redis = own(await startRedis({ dir: join(dir, 'redis'), ...supervised }));
    const mongo = opts.mongo
      ? own(await startFerretDb({ dir: join(dir, 'ferretdb'), ...supervised }))
      : undefined;
    const zipkin = opts.zipkin ? await startZipkin(supervised) : undefined;
    if (zipkin) own(zipkin);
    else if (opts.zipkin)
      throw new Error('Zipkin was asked for but is not provisioned (scripts/provision/zipkin.sh)');
    const zipkinEndpoint = zipkin ? `http://127.0.0.1:${zipkin.port}/api/v2/spans` : undefined;
    const secretsFile = join(dir, 'secrets.json');
    await writeFile(secretsFile, JSON.stringify(opts.secrets ?? { 'vidp-api-key': TEST_API_KEY }));
    const resources = await renderResources(
      join(dir, 'resources'),
      { redisHost: `127.0.0.1:${redis.port}`, secretsFile },
      opts.resourcesDir ?? join(root, 'components'),
      opts.timeouts,
    );
    const config = await renderDaprConfig(
      join(dir, 'dapr-config.yaml'),
      zipkinEndpoint,
      join(root, 'dapr', 'config.yaml'),
    );
    const apps = new Map<string, RunningApp>();

    const sidecarFor = async (appId: string, appPort?: number, maxBodySize = '600Mi', name = appId) =>
      own(
        await startDaprd({
          appId,
          ...(appPort ? { appPort } : {}),
          resourcesPaths: [resources],
          config,
          maxBodySize,
          logFile: join(dir, `daprd-${name}.log`),
          ...supervised,
        }),
      );

    const appProcess = (spec: AppSpec, appPort: number, daprd: Daprd) =>
      own(
        startApp({
          app: spec.app,
          root,
          port: appPort,
          daprHttpPort: daprd.httpPort,
          logFile: join(dir, `app-${nameOf(spec)}.log`),
          ...supervised,
          env: {
            SERVICE_NAME: spec.appId,
            // One temp folder per app, so a test can tell whose files were left behind.
            TMP_DIR: join(dir, 'tmp', nameOf(spec)),
            ...(mongo ? { MONGODB_URL: `mongodb://127.0.0.1:${mongo.port}/vidp` } : {}),
            ...(zipkinEndpoint ? { ZIPKIN_ENDPOINT: zipkinEndpoint } : {}),
            ...spec.env,
          },
        }),
      );

    const launch = async (spec: AppSpec): Promise<RunningApp> => {
      const appPort = await freePort();
      await mkdir(join(dir, 'tmp', nameOf(spec)), { recursive: true });
      const daprd = await sidecarFor(spec.appId, appPort, spec.maxBodySize, nameOf(spec));
      const app = appProcess(spec, appPort, daprd);
      await app.alive();
      await daprd.ready(true);
      const running = { spec, app, daprd };
      apps.set(nameOf(spec), running);
      return running;
    };

    const restart = async (appId: string): Promise<RunningApp> => {
      const old = apps.get(appId);
      if (!old) throw new Error(`no app ${appId} in this stack`);
      const p = old.app.process;
      if (isSupervised(p)) {
        const next = p.nextStart();
        await p.current.stop();
        await next;
        await old.app.alive();
        return old;
      }
      await p.stop();
      const app = appProcess(old.spec, old.app.port, old.daprd);
      await app.alive();
      const running = { ...old, app };
      apps.set(appId, running);
      return running;
    };

    for (const spec of opts.apps) await launch(spec);
    return {
      dir,
      redis,
      ...(mongo ? { mongo } : {}),
      ...(zipkin ? { zipkin } : {}),
      secretsFile,
      apps,
      restarts,
      get(appId) {
        const a = apps.get(appId);
        if (!a) throw new Error(`no app ${appId} in this stack`);
        return a;
      },
      startApp: launch,
      restartApp: restart,
      async startSidecar(appId) {
        const daprd = await sidecarFor(appId);
        await daprd.ready();
        return daprd;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
