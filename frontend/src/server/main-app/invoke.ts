import { config } from '../config';
import { problem } from '../problem';
import { relay } from '../relay';
import { apiKey, SecretUnavailable } from '../secrets';
import { sidecarHeaders, sidecarUrl } from '../sidecar';

export interface InvokeInit {
  method?: string;
  headers?: Record<string, string>;
  /** Streamed through as it arrives (never buffered here). */
  body?: ReadableStream<Uint8Array> | string | null;
  signal?: AbortSignal;
}

/** The sidecar or main-app could not be reached: answered to the browser as a 502/503 problem. */
export class MainAppUnreachable extends Error {}

/**
 * Calls main-app through this app's Dapr sidecar (service invocation), adding the API key
 * from the secret store. The key never leaves the server side.
 */
export async function invokeMainApp(path: string, init: InvokeInit = {}): Promise<Response> {
  let key: string;
  try {
    key = await apiKey();
  } catch (err) {
    if (err instanceof SecretUnavailable) throw new MainAppUnreachable(err.message);
    throw err;
  }
  const url = sidecarUrl(`/v1.0/invoke/${encodeURIComponent(config().MAIN_APP_ID)}/method${path}`);
  try {
    return await fetch(url, {
      method: init.method ?? 'GET',
      headers: { 'accept-encoding': 'identity', ...init.headers, ...sidecarHeaders(), 'x-api-key': key },
      ...(init.body ? { body: init.body, duplex: 'half' } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
      cache: 'no-store',
      redirect: 'manual',
    } as RequestInit);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new MainAppUnreachable(`the Dapr sidecar did not answer: ${(err as Error).message}`);
  }
}

/** Turns a failure to reach main-app into the answer the browser gets. */
export function unreachable(err: unknown): Response {
  if (err instanceof MainAppUnreachable) {
    console.error(JSON.stringify({ level: 'error', msg: 'main-app unreachable', err: err.message }));
    return problem(503, 'Service Unavailable', 'VidP is not reachable right now; try again in a moment.');
  }
  throw err;
}

/** main-app answered with an error: its message, as it gave it. */
export class MainAppError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`main-app answered ${status}: ${detail}`);
  }
}

export async function readProblem(res: Response): Promise<MainAppError> {
  const text = await res.text().catch(() => '');
  let detail = text.slice(0, 500) || res.statusText;
  try {
    const body = JSON.parse(text) as { detail?: string; title?: string; message?: string };
    detail = body.detail ?? body.message ?? body.title ?? detail;
  } catch {
    // not JSON: the text itself
  }
  return new MainAppError(res.status, detail);
}

/** GET a JSON document from main-app; throws MainAppError with main-app's message otherwise. */
export async function mainAppJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await invokeMainApp(path, {
    headers: { accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await readProblem(res);
  return (await res.json()) as T;
}

/** Calls main-app and relays its answer as it streams; a failure to reach it becomes a 503. */
export async function relayOr(
  call: () => Promise<Response>,
  override: Record<string, string | undefined> = {},
): Promise<Response> {
  try {
    return relay(await call(), override);
  } catch (err) {
    return unreachable(err);
  }
}
