import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  findBinary,
  fixtureApp,
  repoRoot,
  type Stack,
  startStack,
  TEST_API_KEY,
  waitUntil,
} from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_ORCHESTRATION } from '../support/main-app.js';
import { makeVideo } from '../support/media.js';

const run = promisify(execFile);
const PROCESSORS = ['langscale', 'subtitle', 'animal-detect', 'downscale'];

/**
 * schemathesis (pinned, from PyPI; scripts/provision/schemathesis.sh) against the running
 * main-app with its real sidecar, Redis and FerretDB: every operation of the OpenAPI
 * document, with valid and invalid data, wrong methods and no key. It fails on any 5xx,
 * any status or header the document does not list, and any answer that does not match
 * its schema. Bounded: a fixed seed, a few examples per operation, two minutes in all.
 * Its settings (what a schema cannot say about uploads) are in ./schemathesis/.
 */
describe('the API keeps its OpenAPI contract (schemathesis)', () => {
  let stack: Stack;
  let api: string;

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      apps: [
        {
          app: 'main-app',
          appId: 'main-app',
          env: {
            ...FAST_ORCHESTRATION,
            MAX_UPLOAD_BYTES: String(2 * 1024 * 1024),
            CORS_ORIGINS: 'http://localhost:3000',
          },
        },
        ...PROCESSORS.map((id) => ({
          app: fixtureApp('processor'),
          appId: id,
          env: { PROCESS_DELAY_MS: '50' },
        })),
      ],
    });
    api = stack.get('main-app').app.url;
    await waitUntil('main-app ready', async () => (await fetch(`${api}/ready`)).status === 200, 60_000, 200);
    // One finished video, so lists and reads have real answers to check against the schemas.
    const dir = join(stack.dir, 'media');
    await mkdir(dir);
    const form = new FormData();
    form.append('file', new File([await readFile(makeVideo(dir, 'seed.mp4', { seconds: 1 }))], 'seed.mp4'));
    const res = await fetch(`${api}/api/videos`, {
      method: 'POST',
      body: form,
      headers: { 'x-api-key': TEST_API_KEY },
    });
    expect(res.status).toBe(201);
    const { video } = (await res.json()) as { video: { id: string } };
    await waitUntil(
      'the seed video to finish',
      async () =>
        (
          (await (
            await fetch(`${api}/api/videos/${video.id}`, { headers: { 'x-api-key': TEST_API_KEY } })
          ).json()) as {
            status: string;
          }
        ).status === 'completed',
      60_000,
      250,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('finds no server error, no undocumented status and no schema mismatch', async () => {
    const reportDir = join(stack.dir, 'schemathesis');
    const settings = join(repoRoot, 'tests/integration/schemathesis');
    const args = [
      '--config-file',
      join(settings, 'schemathesis.toml'),
      'run',
      `${api}/api/openapi.json`,
      '--header',
      `X-API-Key: ${TEST_API_KEY}`,
      '--checks',
      'all',
      // Needs two users with different rights: the API has one kind of key.
      '--exclude-checks',
      'object_level_authorization',
      '--max-examples',
      '15',
      '--seed',
      '20261201',
      '--workers',
      '1',
      '--request-timeout',
      '30',
      '--max-time',
      '120',
      '--no-color',
      '--report',
      'junit',
      '--report-dir',
      reportDir,
    ];
    const started = Date.now();
    const result = await run(findBinary('schemathesis'), args, {
      cwd: stack.dir,
      env: { ...process.env, SCHEMATHESIS_HOOKS: join(settings, 'hooks.py') },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        code: err.code ?? -1,
        out: `${err.stdout ?? ''}${err.stderr ?? ''}`,
      }),
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    // Each line is prefixed: schemathesis closes pytest-style ("=== 2 warnings in 120 s ==="),
    // and CI reads such a line alone as a pytest run that executed no test.
    const tail = result.out
      .split('\n')
      .slice(-40)
      .map((line) => `schemathesis | ${line}`);
    console.log(`schemathesis: ${seconds} s\n${tail.join('\n')}`);
    expect(result.out, result.out).toMatch(/\d+ generated, \d+ passed/);
    // The closing line: "==== 2 warnings in 120.15s ====" (no failure, no error).
    const closing = result.out.split('\n').findLast((l) => / in [\d.]+s =+$/.test(l)) ?? '';
    expect(closing, result.out).not.toMatch(/failure|error/);
    expect(result.code, result.out).toBe(0);
  }, 400_000);
});
