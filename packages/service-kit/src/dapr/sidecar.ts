import { traceHeaders } from '../tracing.js';

export interface SidecarOptions {
  host: string;
  httpPort: number;
  apiToken?: string | undefined;
}

/** A Dapr API error, with the sidecar's own error code when it sent one. */
export class DaprError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode?: string,
  ) {
    super(message);
  }
}

/**
 * Plain-HTTP access to the local sidecar. We use fetch rather than @dapr/dapr because
 * we need streamed bodies, binary responses and ETags, which its HTTP client hides.
 */
export class Sidecar {
  readonly baseUrl: string;

  constructor(private readonly opts: SidecarOptions) {
    this.baseUrl = `http://${opts.host}:${opts.httpPort}`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...traceHeaders(),
      ...(this.opts.apiToken ? { 'dapr-api-token': this.opts.apiToken } : {}),
      ...extra,
    };
  }

  async fetch(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
    const headers = this.headers((init.headers as Record<string, string> | undefined) ?? {});
    return fetch(`${this.baseUrl}${path}`, { ...init, headers });
  }

  /** Throws a DaprError built from the sidecar's error body unless the answer is 2xx. */
  async expectOk(res: Response, what: string): Promise<Response> {
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let code: string | undefined;
    let message = text;
    try {
      const body = JSON.parse(text) as { errorCode?: string; message?: string };
      code = body.errorCode;
      message = body.message ?? text;
    } catch {
      // not JSON: keep the raw text
    }
    throw new DaprError(`${what} failed (${res.status}): ${message}`.trim(), res.status, code);
  }

  /** Outbound readiness: components loaded; does not wait on our own app (no cycle). */
  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/v1.0/healthz/outbound`, {
        signal: AbortSignal.timeout(1500),
      });
      return res.status === 204 || res.ok;
    } catch {
      return false;
    }
  }
}
