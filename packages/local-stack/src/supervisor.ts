// Restarts a local process that exits without being asked to, as Kubernetes restarts a
// container: after a delay that doubles with each crash in a row (capped), and resets once
// the process has stayed up for a while.
import { type ManagedProcess, type SpawnOptions, spawnManaged } from './process.js';

export interface RestartPolicy {
  /** Wait before the first restart after a crash. */
  firstDelayMs: number;
  /** The delay doubles with each crash in a row, up to this. */
  maxDelayMs: number;
  /** A run at least this long was healthy: the next crash waits `firstDelayMs` again. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 500,
  maxDelayMs: 15_000,
  resetAfterMs: 30_000,
};

/** One unexpected exit and what the supervisor did about it. */
export interface RestartEvent {
  name: string;
  at: number;
  /** Exit code, or the signal's name. */
  exit: number | string;
  ranMs: number;
  delayMs: number;
}

export interface Supervision {
  policy?: Partial<RestartPolicy>;
  /** Where each exit and restart is told (the launcher prints it; tests keep a log file). */
  log?(line: string): void;
  /** Called for each unexpected exit, before the restart is scheduled. */
  onExit?(event: RestartEvent): void;
}

/**
 * A supervised process looks like the process it runs (`pid` and `child` are those of the
 * current run). `kill9()` is a crash: the supervisor brings it back. `stop()` ends supervision,
 * then the process, for good.
 */
export interface SupervisedProcess extends ManagedProcess {
  readonly current: ManagedProcess;
  /** Times it was started again after an unexpected exit. */
  readonly restarts: number;
  /** Resolves with the next run once it has been spawned. */
  nextStart(): Promise<ManagedProcess>;
}

export const isSupervised = (p: ManagedProcess): p is SupervisedProcess => 'restarts' in p;

const describeExit = (exit: number | string) => (typeof exit === 'number' ? `code ${exit}` : exit);

export function supervise(
  name: string,
  spawn: () => ManagedProcess,
  opts: Supervision = {},
): SupervisedProcess {
  const policy = { ...DEFAULT_RESTART_POLICY, ...opts.policy };
  const log = opts.log ?? (() => undefined);
  let current = spawn();
  let startedAt = Date.now();
  let stopping = false;
  let restarts = 0;
  let crashesInRow = 0;
  let timer: NodeJS.Timeout | undefined;
  let waiters: ((p: ManagedProcess) => void)[] = [];
  let ended: (exit: number | string) => void = () => undefined;
  const exited = new Promise<number | string>((resolve) => {
    ended = resolve;
  });

  const scheduleRestart = (exit: number | string) => {
    const ranMs = Date.now() - startedAt;
    if (ranMs >= policy.resetAfterMs) crashesInRow = 0;
    const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** crashesInRow);
    crashesInRow++;
    opts.onExit?.({ name, at: Date.now(), exit, ranMs, delayMs });
    log(
      `${name} exited unexpectedly (${describeExit(exit)}) after ${(ranMs / 1000).toFixed(1)} s; restarting in ${delayMs} ms`,
    );
    timer = setTimeout(restart, delayMs);
  };

  const restart = () => {
    timer = undefined;
    if (stopping) return;
    try {
      current = spawn();
    } catch (err) {
      // Could not even spawn (binary gone?): count it as one more crash.
      log(`${name} could not be started again: ${(err as Error).message}`);
      startedAt = Date.now();
      scheduleRestart(-1);
      return;
    }
    startedAt = Date.now();
    restarts++;
    log(`${name} restarted (pid ${current.pid}, restart ${restarts})`);
    for (const w of waiters.splice(0)) w(current);
    watch(current);
  };

  const watch = (p: ManagedProcess) => {
    void p.exited.then((exit) => {
      if (stopping || p !== current) return;
      scheduleRestart(exit);
    });
  };
  watch(current);

  return {
    name,
    get pid() {
      return current.pid;
    },
    get child() {
      return current.child;
    },
    get current() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    exited,
    nextStart: () => new Promise<ManagedProcess>((resolve) => waiters.push(resolve)),
    async stop(graceMs?: number) {
      stopping = true;
      clearTimeout(timer);
      waiters = [];
      await current.stop(graceMs);
      ended(await current.exited);
    },
    // A crash on purpose: the supervisor sees an unexpected exit and restarts it.
    kill9: () => current.kill9(),
    output: () => current.output(),
  };
}

/** Spawns one process, under a supervisor when asked. */
export function spawnOwned(
  name: string,
  command: string,
  args: string[],
  opts: SpawnOptions & { supervise?: Supervision | undefined },
): ManagedProcess {
  const { supervise: supervision, ...spawnOpts } = opts;
  const spawn = () => spawnManaged(name, command, args, spawnOpts);
  return supervision ? supervise(name, spawn, supervision) : spawn();
}
