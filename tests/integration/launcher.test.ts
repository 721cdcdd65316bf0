import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  appEntry,
  findBinary,
  freePorts,
  type ManagedProcess,
  portOpen,
  renderDaprConfig,
  renderResources,
  repoRoot,
  spawnManaged,
  waitUntil,
} from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { alive, descendants } from '../support/platform.js';

const run = promisify(execFile);

// `npm start`'s launcher itself (scripts/launch.ts), on ports of its own: a run file with
// main-app and the fixture processor, its own Redis and FerretDB. A process killed with -9 is
// restarted by the supervisor, Redis keeps what it acknowledged across the kill, and Ctrl-C
// (SIGINT) stops the apps, then the sidecars, then the servers, leaving nothing running.
describe('the local launcher', () => {
  let dir: string;
  let launcher: ManagedProcess;
  let ports: number[];
  const out = () => launcher.output();
  const childrenNamed = async (needle: string) => {
    const found: number[] = [];
    for (const pid of await descendants(launcher.pid)) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes(needle)) found.push(pid);
    }
    return found;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidp-launcher-'));
    ports = await freePorts(10);
    const [redis, mongo, mainPort, procPort, ...dapr] = ports as [
      number,
      number,
      number,
      number,
      ...number[],
    ];
    const state = join(dir, 'state');
    await mkdir(state);
    const resources = await renderResources(join(dir, 'resources'), {
      redisHost: `127.0.0.1:${redis}`,
      secretsFile: join(state, 'secrets.json'),
    });
    const config = await renderDaprConfig(join(dir, 'config.yaml'));
    const app = (appID: string, entry: string, appPort: number, i: number) => ({
      appID,
      appDirPath: repoRoot,
      appPort,
      daprHTTPPort: dapr[i * 3],
      daprGRPCPort: dapr[i * 3 + 1],
      metricsPort: dapr[i * 3 + 2],
      command: ['node', entry],
    });
    const runFile = join(dir, 'dapr.yaml');
    await writeFile(
      runFile,
      stringify({
        version: 1,
        common: {
          resourcesPaths: [resources],
          configFilePath: config,
          env: { MONGODB_URL: `mongodb://127.0.0.1:${mongo}/vidp`, LOG_LEVEL: 'warn' },
        },
        apps: [
          app('main-app', appEntry('main-app'), mainPort, 0),
          app('downscale', appEntry('fixtures/processor'), procPort, 1),
        ],
      }),
    );
    launcher = spawnManaged('launcher', process.execPath, ['--import', 'tsx', 'scripts/launch.ts'], {
      cwd: repoRoot,
      env: {
        VIDP_RUN_FILE: runFile,
        VIDP_STATE_DIR: state,
        VIDP_REDIS_PORT: String(redis),
        VIDP_MONGO_PORT: String(mongo),
        VIDP_ZIPKIN_PORT: '0',
      },
    });
    await waitUntil(
      'the launcher to start VidP',
      async () => out().includes('VidP is running'),
      120_000,
      250,
    );
  });
  afterAll(async () => {
    // Whatever the test did, nothing of this launcher stays behind.
    const left = launcher ? await descendants(launcher.pid) : [];
    await launcher?.stop(30_000);
    for (const pid of left) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('restarts a killed app, keeps Redis data across a kill -9, and stops everything in order', async () => {
    const [redisPort, , , procPort] = ports as [number, number, number, number];
    const [processor] = await childrenNamed('processor.mjs');
    expect(processor).toBeDefined();
    process.kill(processor as number, 'SIGKILL');
    await waitUntil(
      'the supervisor to restart it',
      async () => /downscale restarted \(pid \d+/.test(out()),
      30_000,
    );
    expect(out()).toMatch(/downscale exited unexpectedly \(SIGKILL\)/);
    await waitUntil(
      'downscale ready again',
      async () => (await fetch(`http://127.0.0.1:${procPort}/ready`)).ok,
      60_000,
      250,
    );

    const cli = findBinary('redis-cli');
    await run(cli, ['-p', String(redisPort), 'SET', 'vidp-launcher-test', 'kept']);
    const [redis] = await childrenNamed('redis-server');
    process.kill(redis as number, 'SIGKILL');
    await waitUntil(
      'redis restarted',
      async () => /redis restarted/.test(out()) && (await portOpen(redisPort)),
      30_000,
    );
    const { stdout } = await run(cli, ['-p', String(redisPort), 'GET', 'vidp-launcher-test']);
    expect(stdout.trim()).toBe('kept');

    const all = await descendants(launcher.pid);
    launcher.child.kill('SIGINT');
    expect(await launcher.exited).toBe(0);
    const text = out();
    const order = ['stopped the apps', 'stopped the sidecars', 'stopped the servers'].map((l) =>
      text.indexOf(l),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Nothing was restarted while stopping, and nothing is left running.
    expect(text.slice(text.indexOf('stopping VidP'))).not.toMatch(/exited unexpectedly/);
    expect(all.filter(alive)).toEqual([]);
  });
});
