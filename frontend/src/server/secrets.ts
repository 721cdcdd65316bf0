import { config } from './config';
import { sidecarHeaders, sidecarUrl } from './sidecar';

/** A secret could not be read; the message never holds a secret value. */
export class SecretUnavailable extends Error {}

const REFRESH_MS = 60_000;
const cache = new Map<string, { value: string; at: number }>();

async function fetchSecret(name: string): Promise<string> {
  const store = encodeURIComponent(config().SECRET_STORE);
  let res: Response;
  try {
    res = await fetch(sidecarUrl(`/v1.0/secrets/${store}/${encodeURIComponent(name)}`), {
      headers: sidecarHeaders(),
      signal: AbortSignal.timeout(5000),
      cache: 'no-store',
    });
  } catch (err) {
    throw new SecretUnavailable(
      `the Dapr sidecar did not answer for secret "${name}": ${(err as Error).message}`,
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new SecretUnavailable(
      `secret "${name}" is not in the secret store (sidecar answered ${res.status})`,
    );
  }
  const body = (await res.json()) as Record<string, string>;
  // The local file store answers { name: value }; a Kubernetes Secret may use another key.
  const value = body[name] ?? Object.values(body)[0];
  if (!value) throw new SecretUnavailable(`secret "${name}" is empty`);
  return value;
}

/**
 * A secret from the Dapr secret store, read through our sidecar and refreshed every minute
 * (rotation). If a refresh fails, the value already known is kept.
 */
export async function secret(name: string): Promise<string> {
  const hit = cache.get(name);
  if (hit && Date.now() - hit.at < REFRESH_MS) return hit.value;
  try {
    const value = await fetchSecret(name);
    cache.set(name, { value, at: Date.now() });
    return value;
  } catch (err) {
    if (hit) return hit.value;
    throw err;
  }
}

/** main-app's API key: the first of the comma-separated keys. */
export async function apiKey(): Promise<string> {
  const first = (await secret(config().API_KEY_SECRET)).split(',')[0]?.trim();
  if (!first) throw new SecretUnavailable(`secret "${config().API_KEY_SECRET}" holds no key`);
  return first;
}
