/**
 * main-app settings for tests: the same orchestration, on a faster clock (short leases so
 * a takeover after kill -9 happens in seconds, short backoff so retries end quickly).
 */
export const FAST_ORCHESTRATION = {
  ORCH_POLL_MS: '300',
  TASK_LEASE_MS: '3000',
  TASK_BACKOFF_BASE_MS: '200',
  TASK_BACKOFF_MAX_MS: '1000',
} as const;

/**
 * For fault tests: the same short leases, and retries spread over long enough (1 + 2 + 4 s)
 * to outlast a process being restarted by its supervisor, as production's defaults do.
 */
export const FAULT_ORCHESTRATION = {
  ...FAST_ORCHESTRATION,
  TASK_BACKOFF_BASE_MS: '1000',
  TASK_BACKOFF_MAX_MS: '4000',
} as const;

/**
 * Restarts after 3 s: long enough for a test to see the outage in `/ready` even when each
 * answer takes a second or more (a loaded machine).
 */
export const FAULT_RESTART_POLICY = { firstDelayMs: 3000, maxDelayMs: 6000, resetAfterMs: 20_000 } as const;

/**
 * For the real processors: main-app waits for a processor that is down, but right after a
 * sidecar restart a call can still fail (seen once on a heavily loaded machine: the new
 * sidecar reset the stream, "connection reset by peer"). Eight attempts, 2 to 8 s apart.
 */
export const SLOW_RESTART_ORCHESTRATION = {
  ...FAULT_ORCHESTRATION,
  TASK_MAX_ATTEMPTS: '8',
  TASK_BACKOFF_BASE_MS: '2000',
  TASK_BACKOFF_MAX_MS: '8000',
} as const;
