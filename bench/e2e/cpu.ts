// CPU time of the whole stack, from /proc: every process the bench started (apps, sidecars,
// Redis, FerretDB) with its live children (Whisper hosts, ffmpeg) and the children it has
// already reaped (utime + stime + cutime + cstime). Counting per process tree, not the machine's
// total, keeps other work on a shared machine out of the figure.
import { readdir, readFile } from 'node:fs/promises';
import type { Stack } from '@vidp/local-stack';

// Linux reports these four fields in clock ticks, USER_HZ, which is 100 on every architecture
// Node runs on (the kernel's HZ may differ, the ABI does not).
const TICKS_PER_SECOND = 100;

/** A process's children, started by any of its threads. */
export async function childPids(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const out: number[] = [];
  for (const t of tasks) {
    const list = await readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '');
    for (const c of list.split(/\s+/).filter(Boolean)) out.push(Number(c));
  }
  return out;
}

async function treeTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14 to 17 of the line, 12 to 15 after the name.
  let ticks = [11, 12, 13, 14].reduce((s, i) => s + (Number(fields[i]) || 0), 0);
  for (const c of await childPids(pid)) ticks += await treeTicks(c);
  return ticks;
}

/** CPU-seconds used so far by each process of the stack, its children included, by name. */
export async function stackCpu(stack: Stack): Promise<Record<string, number>> {
  const pids: [string, number][] = [['redis', stack.redis.process.pid as number]];
  if (stack.mongo) pids.push(['ferretdb', stack.mongo.process.pid as number]);
  for (const [name, running] of stack.apps)
    pids.push([name, running.app.process.pid as number], ['daprd', running.daprd.process.pid as number]);
  const out: Record<string, number> = {};
  for (const [name, pid] of pids) out[name] = (out[name] ?? 0) + (await treeTicks(pid)) / TICKS_PER_SECOND;
  return out;
}

/** What each process used between two readings of `stackCpu`, and the total. */
export function cpuUsed(before: Record<string, number>, after: Record<string, number>) {
  const by: Record<string, number> = {};
  let total = 0;
  for (const [name, s] of Object.entries(after)) {
    by[name] = s - (before[name] ?? 0);
    total += by[name];
  }
  return { by, total };
}
