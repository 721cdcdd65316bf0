import { join } from 'node:path';
import { repoRoot } from './paths.js';
import type { ManagedProcess } from './process.js';
import { type Supervision, spawnOwned } from './supervisor.js';
import { exitedForGood, httpOk, waitUntil } from './wait.js';

export interface AppOptions {
  /** An app under apps/ (`main-app`) or a test fixture (`fixtures/receiver`). */
  app: string;
  port: number;
  daprHttpPort: number;
  env?: Record<string, string | undefined>;
  echo?: boolean;
  logFile?: string;
  /** Restart it when it exits unexpectedly. */
  supervise?: Supervision;
  /** The checkout whose bundles to run (default: this one); benchmarks compare two trees. */
  root?: string;
}

export interface StartedApp {
  name: string;
  port: number;
  url: string;
  process: ManagedProcess;
  /** Waits for `/health` (alive), not `/ready` (which needs the sidecar too). */
  alive(timeoutMs?: number): Promise<void>;
}

/** The bundle `scripts/build.ts` made for an app: `dist/apps/<name>.mjs` or `dist/fixtures/<name>.mjs`. */
export function appEntry(app: string, root = repoRoot): string {
  return `${join(root, 'dist', app.includes('/') ? app : `apps/${app}`)}.mjs`;
}

/** Runs a built app as one plain node process, so its pid (and memory) is the app's own. */
export function startApp(opts: AppOptions): StartedApp {
  const name = opts.app.split('/').pop() ?? opts.app;
  const process = spawnOwned(
    name,
    globalThis.process.execPath,
    ['--enable-source-maps', appEntry(opts.app, opts.root)],
    {
      cwd: opts.root ?? repoRoot,
      env: {
        PORT: String(opts.port),
        DAPR_HTTP_PORT: String(opts.daprHttpPort),
        LOG_LEVEL: 'warn',
        ...opts.env,
      },
      echo: opts.echo ?? false,
      ...(opts.logFile ? { logFile: opts.logFile } : {}),
      supervise: opts.supervise,
    },
  );
  const url = `http://127.0.0.1:${opts.port}`;
  return {
    name,
    port: opts.port,
    url,
    process,
    async alive(timeoutMs = 30_000) {
      await waitUntil(
        `${name} /health`,
        async () => {
          exitedForGood(process, name);
          return httpOk(`${url}/health`);
        },
        timeoutMs,
      );
    },
  };
}
