/** Hop-by-hop and sidecar headers never go back to the browser. */
const DROP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'content-encoding',
  'traceparent',
  'tracestate',
  'dapr-app-id',
  'dapr-callee-app-id',
  'dapr-caller-app-id',
  'dapr-caller-namespace',
  'x-powered-by',
  'date',
  'server',
]);

/** Copies the listed request headers (lower-case names) that are present. */
export function pickHeaders(from: Headers, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = from.get(n);
    if (v !== null) out[n] = v;
  }
  return out;
}

/**
 * main-app's answer, passed to the browser as it streams (status, body and the headers that
 * make sense end to end). `override` sets or removes (undefined) headers.
 */
export function relay(upstream: Response, override: Record<string, string | undefined> = {}): Response {
  const headers = new Headers();
  upstream.headers.forEach((value, name) => {
    if (!DROP.has(name) && !name.startsWith('dapr-')) headers.set(name, value);
  });
  // fetch has already decoded a compressed body: its stated length no longer holds.
  if (upstream.headers.has('content-encoding')) headers.delete('content-length');
  for (const [name, value] of Object.entries(override)) {
    if (value === undefined) headers.delete(name);
    else headers.set(name, value);
  }
  const bodyless = upstream.status === 204 || upstream.status === 304;
  return new Response(bodyless ? null : upstream.body, { status: upstream.status, headers });
}
