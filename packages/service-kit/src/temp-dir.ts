import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private temp folder; `remove()` is safe to call more than once. */
export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

export async function createTempDir(prefix: string, parent = tmpdir()): Promise<TempDir> {
  const path = await mkdtemp(join(parent, `${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Runs `work` in a fresh temp folder and always removes it afterwards. */
export async function withTempDir<T>(
  prefix: string,
  work: (dir: string) => Promise<T>,
  parent?: string,
): Promise<T> {
  const dir = await createTempDir(prefix, parent);
  try {
    return await work(dir.path);
  } finally {
    await dir.remove();
  }
}
