import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
  kill9(): Promise<void>;
  output(): string;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Write output to this file instead of keeping the tail in memory. */
  logFile?: string;
  /** Mirror output to our stdout, each line prefixed with the name. */
  echo?: boolean;
  /**
   * Its own process group: a terminal's Ctrl-C then reaches only us, and we stop the
   * children in order instead of all of them at once.
   */
  detached?: boolean;
}

const TAIL_BYTES = 64 * 1024;

/** Spawns a long-running process (never through a shell) that we own and stop. */
export function spawnManaged(
  name: string,
  command: string,
  args: string[],
  opts: SpawnOptions = {},
): ManagedProcess {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  let tail = '';
  const file = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const onData = (chunk: Buffer) => {
    file?.write(chunk);
    tail = (tail + chunk.toString()).slice(-TAIL_BYTES);
    if (opts.echo) {
      for (const line of chunk.toString().split('\n'))
        if (line) process.stdout.write(`${name.padEnd(16)}| ${line}\n`);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      file?.end();
      resolve(code ?? signal ?? -1);
    });
    child.once('error', (err) => {
      tail += `\n[spawn error] ${err.message}`;
      resolve(-1);
    });
  });
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 10_000) => {
    if (!isRunning()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => isRunning() && child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const kill9 = async () => {
    if (isRunning()) child.kill('SIGKILL');
    await exited;
  };
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  return {
    name,
    pid: child.pid,
    child,
    exited,
    stop,
    kill9,
    output: () => tail,
  };
}

/** Peak resident memory of a live process, in bytes (Linux VmHWM). */
export async function peakRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(kb) * 1024;
}
