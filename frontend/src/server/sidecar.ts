import { config } from './config';

/** A URL on this app's Dapr sidecar. */
export function sidecarUrl(path: string): string {
  const c = config();
  return `http://${c.DAPR_HOST}:${c.DAPR_HTTP_PORT}${path}`;
}

export function sidecarHeaders(): Record<string, string> {
  const token = config().DAPR_API_TOKEN;
  return token ? { 'dapr-api-token': token } : {};
}

/** Outbound readiness of the sidecar (components loaded). */
export async function sidecarHealthy(): Promise<boolean> {
  try {
    const res = await fetch(sidecarUrl('/v1.0/healthz/outbound'), {
      signal: AbortSignal.timeout(1500),
      cache: 'no-store',
    });
    return res.status === 204 || res.ok;
  } catch {
    return false;
  }
}
