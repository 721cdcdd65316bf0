/** After this many wrong passwords from one client within the window, it waits. */
const MAX_FAILURES = 5;
const WINDOW_MS = 60_000;
const MAX_CLIENTS = 10_000;

/** Slows down password guessing: per client address, in this process. */
class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  private recent(client: string): number[] {
    const now = Date.now();
    const list = (this.failures.get(client) ?? []).filter((t) => now - t < WINDOW_MS);
    if (list.length) this.failures.set(client, list);
    else this.failures.delete(client);
    return list;
  }

  blockedForSec(client: string): number {
    const list = this.recent(client);
    if (list.length < MAX_FAILURES) return 0;
    return Math.ceil((WINDOW_MS - (Date.now() - (list[0] as number))) / 1000);
  }

  failed(client: string): void {
    if (this.failures.size >= MAX_CLIENTS) this.failures.clear();
    this.failures.set(client, [...this.recent(client), Date.now()]);
  }

  succeeded(client: string): void {
    this.failures.delete(client);
  }
}

export const signInLimiter = new SignInLimiter();
