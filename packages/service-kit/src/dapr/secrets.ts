import type { Sidecar } from './sidecar.js';

/** Reads one secret (a map of values) from a Dapr secret store. */
export async function getSecret(
  sidecar: Sidecar,
  store: string,
  key: string,
): Promise<Record<string, string>> {
  const res = await sidecar.fetch(`/v1.0/secrets/${encodeURIComponent(store)}/${encodeURIComponent(key)}`);
  await sidecar.expectOk(res, `secret ${key}`);
  return (await res.json()) as Record<string, string>;
}
