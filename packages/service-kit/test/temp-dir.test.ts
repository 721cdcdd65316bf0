import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempDir, sweepStaleTempDirs } from '../src/temp-dir.js';

describe('temp folders', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'kit-tmp-'));
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  const leftBy = async (pid: number) => {
    const dir = join(parent, `vidp-pid-${pid}`, 'upload-x');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'half-an-upload'), 'x');
  };

  it("removes at start what processes killed mid-work left, and keeps live processes' folders", async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await leftBy(dead);
    await leftBy(process.ppid);
    // Our own pid at start: a restarted container's earlier run had the same one.
    await leftBy(process.pid);
    await mkdir(join(parent, 'someone-elses'));
    const removed = await sweepStaleTempDirs(parent);
    expect(removed.sort()).toEqual([`vidp-pid-${dead}`, `vidp-pid-${process.pid}`].sort());
    expect((await readdir(parent)).sort()).toEqual([`vidp-pid-${process.ppid}`, 'someone-elses'].sort());
  });

  it('keeps every folder of a process under its pid, and leaves nothing once they are removed', async () => {
    const a = await createTempDir('upload', parent);
    const b = await createTempDir('job', parent);
    expect(a.path.startsWith(join(parent, `vidp-pid-${process.pid}`))).toBe(true);
    await a.remove();
    expect(await readdir(join(parent, `vidp-pid-${process.pid}`))).toHaveLength(1);
    await b.remove();
    expect(await readdir(parent)).toEqual([]);
  });
});
