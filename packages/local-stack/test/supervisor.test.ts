import { describe, expect, it } from 'vitest';
import { spawnManaged } from '../src/process.js';
import { type RestartEvent, supervise } from '../src/supervisor.js';
import { waitUntil } from '../src/wait.js';

// A real child process (node, sleeping) under the supervisor.
const sleeper = () => spawnManaged('sleeper', process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
const policy = { firstDelayMs: 50, maxDelayMs: 200, resetAfterMs: 60_000 };

describe('supervise', () => {
  it('restarts a process that is killed, with a delay that doubles up to the cap', async () => {
    const events: RestartEvent[] = [];
    const lines: string[] = [];
    const p = supervise('sleeper', sleeper, {
      policy,
      onExit: (e) => events.push(e),
      log: (l) => lines.push(l),
    });
    try {
      const pids = [p.pid];
      for (let i = 0; i < 4; i++) {
        const next = p.nextStart();
        await p.kill9();
        pids.push((await next).pid);
      }
      expect(new Set(pids).size).toBe(5);
      expect(p.restarts).toBe(4);
      expect(events.map((e) => e.delayMs)).toEqual([50, 100, 200, 200]);
      expect(events.every((e) => e.exit === 'SIGKILL')).toBe(true);
      expect(lines.some((l) => /sleeper exited unexpectedly \(SIGKILL\).*restarting in 50 ms/.test(l))).toBe(
        true,
      );
      expect(p.child.exitCode).toBeNull();
    } finally {
      await p.stop();
    }
  });

  it('does not restart what it was asked to stop, even during a restart delay', async () => {
    const p = supervise('sleeper', sleeper, { policy: { ...policy, firstDelayMs: 300 } });
    const first = p.current;
    await p.kill9();
    await p.stop();
    await new Promise((r) => setTimeout(r, 500));
    expect(p.restarts).toBe(0);
    expect(p.current).toBe(first);
    expect(await p.exited).toBe('SIGKILL');
  });

  it('stops the current run for good', async () => {
    const p = supervise('sleeper', sleeper, { policy });
    const next = p.nextStart();
    await p.kill9();
    const second = await next;
    await waitUntil('restart', async () => p.pid === second.pid);
    await p.stop();
    expect(second.child.signalCode).toBe('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(p.restarts).toBe(1);
  });
});
