import { encodeMultipart, type Part } from './multipart-body.js';
import type { Sidecar } from './sidecar.js';
import { streamRequest } from './stream-request.js';

export interface InvokeOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

function methodPath(appId: string, method: string): string {
  return `/v1.0/invoke/${encodeURIComponent(appId)}/method/${method.replace(/^\/+/, '')}`;
}

/**
 * Calls another app's multipart endpoint through Dapr, streaming the body chunked
 * (no Content-Length): daprd >= 1.18 then streams it instead of buffering it whole.
 * The caller reads (or cancels) the returned response.
 */
export async function invokeMultipart(
  sidecar: Sidecar,
  appId: string,
  method: string,
  parts: Part[],
  opts: InvokeOptions = {},
): Promise<Response> {
  const { contentType, body } = encodeMultipart(parts);
  return streamRequest(
    `${sidecar.baseUrl}${methodPath(appId, method)}`,
    sidecar.headers({ ...opts.headers, 'content-type': contentType }),
    body,
    opts.signal,
  );
}
