import { SECRET_STORE } from '@vidp/contracts';
import { getSecret, type ReadinessCheck, type Sidecar } from '@vidp/service-kit';
import type { Logger } from 'pino';

/** API keys from the Dapr secret store, loaded at start and refreshed (rotation) every minute. */
export class ApiKeys {
  private keys: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sidecar: Sidecar,
    private readonly secretName: string,
    private readonly logger: Logger,
  ) {}

  current = (): string[] => this.keys;

  start(): void {
    const load = async () => {
      try {
        const secret = await getSecret(this.sidecar, SECRET_STORE, this.secretName);
        const keys = Object.values(secret)
          .flatMap((v) => v.split(','))
          .map((k) => k.trim())
          .filter((k) => k.length >= 16);
        if (!keys.length) throw new Error(`secret "${this.secretName}" holds no key of 16+ characters`);
        this.keys = keys;
      } catch (err) {
        // Never log the secret itself; the reason is enough.
        this.logger.warn({ err: (err as Error).message }, 'API keys not loaded yet');
      }
      this.timer = setTimeout(load, this.keys.length ? 60_000 : 1000);
      this.timer.unref();
    };
    void load();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  readiness(): ReadinessCheck {
    return {
      name: 'api-keys',
      check: async () =>
        this.keys.length ? { ok: true } : { ok: false, reason: 'API keys not loaded from the secret store' },
    };
  }
}
