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
