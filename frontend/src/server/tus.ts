import { invokeMainApp, unreachable } from './main-app/invoke';
import { pickHeaders, relay } from './relay';

/** The tus 1.0 request headers main-app reads. Content-Length is left out on purpose: see below. */
const TUS_HEADERS = [
  'tus-resumable',
  'upload-length',
  'upload-defer-length',
  'upload-metadata',
  'upload-offset',
  'upload-concat',
  'upload-checksum',
  'content-type',
] as const;

export const UPLOAD_ID = /^[0-9A-Za-z_-]{8,80}$/;

/**
 * One tus request (create, offset, chunk, terminate) relayed to main-app's /api/uploads through
 * the Dapr sidecar. A chunk's body streams through as it arrives: sent without Content-Length,
 * so it goes chunked, which daprd 1.18 streams rather than buffering (and never retries).
 * Locations keep main-app's relative path, which is this app's path too.
 */
export async function relayTus(req: Request, path: string): Promise<Response> {
  const hasBody =
    req.method === 'PATCH' || (req.method === 'POST' && Number(req.headers.get('content-length') ?? 0) > 0);
  try {
    const upstream = await invokeMainApp(path, {
      method: req.method,
      headers: pickHeaders(req.headers, TUS_HEADERS),
      body: hasBody ? req.body : null,
      signal: req.signal,
    });
    const location = upstream.headers.get('location');
    return relay(upstream, {
      'cache-control': 'no-store',
      ...(location ? { location: new URL(location, 'http://x').pathname } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') return new Response(null, { status: 499 });
    return unreachable(err);
  }
}
