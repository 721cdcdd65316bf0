import type { Server } from 'node:http';
import type { Logger } from 'pino';

/**
 * Graceful stop: on SIGTERM/SIGINT stop accepting, report not-ready, let in-flight
 * requests and tracked background work finish (bounded by a timeout), run the
 * service's own closers, then exit.
 */
export class Lifecycle {
  private stopping = false;
  private readonly work = new Set<Promise<unknown>>();
  private readonly closers: (() => Promise<void> | void)[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Background work (not tied to a request) that a stop must wait for. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.work.add(promise);
    promise.finally(() => this.work.delete(promise)).catch(() => undefined);
    return promise;
  }

  onClose(closer: () => Promise<void> | void): void {
    this.closers.push(closer);
  }

  async stop(server: Server | undefined, reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info({ reason, inFlightWork: this.work.size }, 'stopping');
    const deadline = setTimeout(() => {
      this.logger.warn('in-flight work did not finish in time; closing connections');
      server?.closeAllConnections();
    }, this.timeoutMs);
    deadline.unref();
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    // Keep-alive connections that finish their last request must not hold the stop.
    const reaper = setInterval(() => server?.closeIdleConnections(), 100);
    server?.closeIdleConnections();
    await Promise.race([
      Promise.all([closed, Promise.allSettled([...this.work])]),
      new Promise((resolve) => setTimeout(resolve, this.timeoutMs).unref()),
    ]);
    clearTimeout(deadline);
    clearInterval(reaper);
    for (const close of this.closers.reverse()) {
      try {
        await close();
      } catch (err) {
        this.logger.warn({ err }, 'closer failed during stop');
      }
    }
    this.logger.info('stopped');
  }
}
