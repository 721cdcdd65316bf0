import { mkdir, mkdtemp, readdir, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private temp folder; `remove()` is safe to call more than once. */
export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

// Every temp folder of a process lives under one folder named by its pid, so what a process
// killed with -9 left behind can be told apart from what live processes use, and removed.
const ROOT_PATTERN = /^vidp-pid-(\d+)$/;
const processRoot = (parent: string) => join(parent, `vidp-pid-${process.pid}`);

export async function createTempDir(prefix: string, parent = tmpdir()): Promise<TempDir> {
  const root = processRoot(parent);
  let path: string | undefined;
  // The root goes when its last folder does; one being removed just now is made again.
  for (let i = 0; !path; i++) {
    await mkdir(root, { recursive: true });
    path = await mkdtemp(join(root, `${prefix}-`)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' && i < 3) return undefined;
      throw err;
    });
  }
  const dir = path;
  return {
    path: dir,
    async remove() {
      await rm(dir, { recursive: true, force: true });
      // Not empty (another job's folder is there): it stays.
      await rmdir(root).catch(() => undefined);
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp folders of processes that are gone (killed before they could clean up).
 * Run at start, before any work: a folder under our own pid is then stale too (a restarted
 * container gets the same pid). Returns what it removed.
 */
export async function sweepStaleTempDirs(parent = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const pid = Number(ROOT_PATTERN.exec(name)?.[1]);
    if (!pid || (pid !== process.pid && alive(pid))) continue;
    await rm(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
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
