import type { Router } from 'express';
import express from 'express';

/** A dependency the service needs to do its job; `ok: false` makes `/ready` answer 503. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; reason?: string }>;
  /**
   * Reported by `/ready` (under `degraded`) but never makes it fail: something the service can
   * wait out, such as main-app's processors (its API keeps serving while one restarts).
   */
  optional?: boolean;
}

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(c: ReadinessCheck) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: boolean; reason: string }>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          reason: `no answer within ${CHECK_TIMEOUT_MS} ms`,
        }),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([
      c.check().catch((err: Error) => ({ ok: false, reason: err.message })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/health`: the process is alive (never checks dependencies, so a sidecar outage
 * does not restart the app). `/ready`: every dependency answers, and we are not stopping.
 */
export function healthRouter(service: string, checks: ReadinessCheck[], isStopping: () => boolean): Router {
  const router = express.Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', service });
  });
  router.get('/ready', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => ({ name: c.name, optional: c.optional ?? false, ...(await runCheck(c)) })),
    );
    if (isStopping())
      results.push({ name: 'lifecycle', optional: false, ok: false, reason: 'shutting down' });
    const failing = (optional: boolean) =>
      results
        .filter((r) => !r.ok && r.optional === optional)
        .map((r) => `${r.name}: ${r.reason ?? 'failed'}`)
        .join('; ');
    const reason = failing(false);
    const degraded = failing(true);
    res.status(reason ? 503 : 200).json({
      status: reason ? 'not-ready' : 'ready',
      service,
      checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : (r.reason ?? 'failed')])),
      ...(reason ? { reason } : {}),
      ...(degraded ? { degraded } : {}),
    });
  });
  return router;
}
