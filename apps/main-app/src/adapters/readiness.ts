import { STATE_STORE, TASKS } from '@vidp/contracts';
import type { ReadinessCheck, Sidecar } from '@vidp/service-kit';
import { probeProcessor } from './processor-client.js';

const PROBE_TIMEOUT_MS = 1500;

/** Reason text from a sidecar's error answer (its `message` when it sent JSON). */
async function answerText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text;
  }
}

/**
 * The task state store answers (through the sidecar): it holds the truth of every task, and
 * the sidecar's own health check stays green while its store is down.
 */
export function stateStoreCheck(sidecar: Sidecar): ReadinessCheck {
  return {
    name: 'state-store',
    async check() {
      try {
        const res = await sidecar.fetch(`/v1.0/state/${STATE_STORE}/vidp-readiness-probe`, {
          signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        });
        if (res.ok) {
          await res.arrayBuffer();
          return { ok: true };
        }
        return { ok: false, reason: `${STATE_STORE} answered ${res.status}: ${await answerText(res)}` };
      } catch (err) {
        return { ok: false, reason: `${STATE_STORE} not reachable: ${(err as Error).message}` };
      }
    },
  };
}

/**
 * Each processor's `/ready`, through Dapr: optional, so a processor that restarts shows in
 * main-app's `/ready` (as `degraded`) without taking the API out of service; its tasks wait.
 */
export function processorChecks(sidecar: Sidecar): ReadinessCheck[] {
  return TASKS.map((task) => ({
    name: `processor:${task}`,
    optional: true,
    async check() {
      const { ok, reason } = await probeProcessor(sidecar, task);
      return reason ? { ok, reason } : { ok };
    },
  }));
}
