import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalSecrets } from '../../scripts/lib/local-secrets.js';

describe("the launcher's local secrets file", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('is generated whole on first start, readable by its owner only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vidp-secrets-'));
    dirs.push(dir);
    const file = join(dir, 'secrets.json');
    expect(await ensureLocalSecrets(file)).toEqual([
      'vidp-api-key',
      'vidp-web-password',
      'vidp-session-secret',
    ]);
    const s = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(s['vidp-api-key']!.length).toBeGreaterThanOrEqual(32);
    expect(s['vidp-web-password']!.length).toBeGreaterThanOrEqual(16);
    expect(s['vidp-session-secret']!.length).toBeGreaterThanOrEqual(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await ensureLocalSecrets(file)).toEqual([]);
  });

  it('completes an older file, keeping what it holds (the API key clients already use)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vidp-secrets-'));
    dirs.push(dir);
    const file = join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify({ 'vidp-api-key': 'the-key-clients-have-0123456789' }), {
      mode: 0o644,
    });
    expect(await ensureLocalSecrets(file)).toEqual(['vidp-web-password', 'vidp-session-secret']);
    const s = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(s['vidp-api-key']).toBe('the-key-clients-have-0123456789');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
