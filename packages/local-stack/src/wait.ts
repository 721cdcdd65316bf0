import { connect } from 'node:net';
import type { ManagedProcess } from './process.js';
import { isSupervised } from './supervisor.js';

/** Thrown by a probe to stop waiting at once (the awaited process died, say). */
export class GiveUp extends Error {}

/**
 * Stops a wait when the process it waits for has died and nothing will bring it back; a
 * supervised one is restarted, so the wait goes on.
 */
export function exitedForGood(p: ManagedProcess, what: string): void {
  if (!isSupervised(p) && (p.child.exitCode !== null || p.child.signalCode !== null))
    throw new GiveUp(`${what} exited:\n${p.output()}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true, or fails with `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await probe().catch((err: unknown) => {
      if (err instanceof GiveUp) throw err;
      return false;
    });
    if (ok) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export async function httpOk(
  url: string,
  accept: (status: number) => boolean = (s) => s < 300,
): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return accept(res.status);
}
