// The web app in a test stack: its standalone build run as a plain node process, with its own
// daprd sidecar (app id `frontend`) on the stack's components, so it reaches main-app by service
// invocation and reads its secrets from the stack's secret store, as it does in production.
import { join } from 'node:path';
import {
  type Daprd,
  freePort,
  GiveUp,
  httpOk,
  type ManagedProcess,
  type Stack,
  spawnManaged,
  startDaprd,
  TEST_API_KEY,
  waitUntil,
} from '@vidp/local-stack';
import { ensureFrontendBuild, frontendServer } from '../../scripts/lib/frontend-build.js';

/** The secrets a stack needs for the web app: main-app's key, the sign-in password, the session key. */
export const WEB_PASSWORD = 'test-web-password-4f1c2a';
export const FRONTEND_SECRETS = {
  'vidp-api-key': TEST_API_KEY,
  'vidp-web-password': WEB_PASSWORD,
  'vidp-session-secret': 'test-session-secret-0123456789abcdef0123456789',
};

export interface RunningFrontend {
  url: string;
  port: number;
  process: ManagedProcess;
  daprd: Daprd;
  stop(): Promise<void>;
}

export async function startFrontend(
  stack: Stack,
  env: Record<string, string> = {},
): Promise<RunningFrontend> {
  await ensureFrontendBuild();
  const port = await freePort();
  const daprd = await startDaprd({
    appId: 'frontend',
    appPort: port,
    resourcesPaths: [join(stack.dir, 'resources')],
    config: join(stack.dir, 'dapr-config.yaml'),
    maxBodySize: '600Mi',
    logFile: join(stack.dir, 'daprd-frontend.log'),
  });
  const process = spawnManaged('frontend', globalThis.process.execPath, [frontendServer], {
    cwd: join(frontendServer, '..'),
    logFile: join(stack.dir, 'app-frontend.log'),
    env: {
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      DAPR_HTTP_PORT: String(daprd.httpPort),
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await process.stop();
    await daprd.process.stop();
  };
  try {
    await waitUntil(
      'the web app to be ready',
      async () => {
        if (process.child.exitCode !== null) throw new GiveUp(`the web app exited:\n${process.output()}`);
        return httpOk(`${url}/ready`);
      },
      90_000,
      250,
    );
    await daprd.ready(true);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, process, daprd, stop };
}

/** Signs in with the password (as the sign-in form does) and returns the session cookie header. */
export async function signInCookie(url: string, password = WEB_PASSWORD): Promise<string> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('vidp_session='));
  if (res.status !== 204 || !cookie)
    throw new Error(`sign-in refused (HTTP ${res.status}): ${await res.text()}`);
  return cookie.split(';')[0] as string;
}
