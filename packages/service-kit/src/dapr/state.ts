import { DaprError, type Sidecar } from './sidecar.js';

export interface StateEntry<T> {
  value: T;
  etag: string;
}

/** Raised when a write's ETag no longer matches: someone else changed the record first. */
export class EtagMismatchError extends Error {}

export interface SaveItem {
  key: string;
  value: unknown;
  /** Required with first-write: the write succeeds only if the record is unchanged. */
  etag?: string;
  concurrency?: 'first-write' | 'last-write';
  /** Time to live, for records that must expire by themselves. */
  ttlInSeconds?: number;
}

const statePath = (store: string, key?: string) =>
  `/v1.0/state/${encodeURIComponent(store)}${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

/** Reads one key with its ETag (the JS SDK drops the ETag, hence plain HTTP). */
export async function getState<T>(
  sidecar: Sidecar,
  store: string,
  key: string,
): Promise<StateEntry<T> | undefined> {
  const res = await sidecar.fetch(statePath(store, key), {
    headers: { consistency: 'strong' },
  });
  if (res.status === 204 || res.status === 404) return undefined;
  await sidecar.expectOk(res, `state get ${key}`);
  const text = await res.text();
  if (!text) return undefined;
  return { value: JSON.parse(text) as T, etag: res.headers.get('etag') ?? '' };
}

export async function saveState(sidecar: Sidecar, store: string, items: SaveItem[]): Promise<void> {
  const body = items.map((i) => ({
    key: i.key,
    value: i.value,
    ...(i.etag !== undefined ? { etag: i.etag } : {}),
    options: {
      concurrency: i.concurrency ?? (i.etag !== undefined ? 'first-write' : 'last-write'),
      consistency: 'strong',
    },
    ...(i.ttlInSeconds ? { metadata: { ttlInSeconds: String(i.ttlInSeconds) } } : {}),
  }));
  const res = await sidecar.fetch(statePath(store), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status === 409)
    throw new EtagMismatchError(`state changed concurrently: ${items.map((i) => i.key).join(', ')}`);
  try {
    await sidecar.expectOk(res, 'state save');
  } catch (err) {
    if (err instanceof DaprError && err.errorCode === 'ERR_STATE_SAVE' && /etag/i.test(err.message)) {
      throw new EtagMismatchError(err.message);
    }
    throw err;
  }
}

export async function deleteState(
  sidecar: Sidecar,
  store: string,
  key: string,
  etag?: string,
): Promise<void> {
  const res = await sidecar.fetch(statePath(store, key), {
    method: 'DELETE',
    headers: etag ? { 'if-match': etag } : {},
  });
  if (res.status === 409) throw new EtagMismatchError(`state changed concurrently: ${key}`);
  await sidecar.expectOk(res, `state delete ${key}`);
}
