import type { Router } from 'express';
import express from 'express';

/** A dependency the service needs to do its job; `ok: false` makes `/ready` answer 503. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; reason?: string }>;
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
    const results = await Promise.all(checks.map(async (c) => ({ name: c.name, ...(await runCheck(c)) })));
    if (isStopping()) results.push({ name: 'lifecycle', ok: false, reason: 'shutting down' });
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not-ready',
      service,
      checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : (r.reason ?? 'failed')])),
      ...(ready
        ? {}
        : {
            reason: results
              .filter((r) => !r.ok)
              .map((r) => `${r.name}: ${r.reason}`)
              .join('; '),
          }),
    });
  });
  return router;
}
