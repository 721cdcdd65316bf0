import type { RequestHandler } from 'express';

/** Headers a page may read from our answers (ranges, uploads, the video a tus upload made). */
const EXPOSED =
  'Location, Content-Range, Accept-Ranges, ETag, X-Request-Id, Upload-Offset, Upload-Length, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Vidp-Video-Id';
/** Headers a page may send: the key, ranges, and what tus clients send. */
const ALLOWED_HEADERS =
  'X-API-Key, Content-Type, Range, If-None-Match, Last-Event-ID, X-Request-Id, Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, Upload-Defer-Length, Upload-Concat, X-HTTP-Method-Override';
const ALLOWED_METHODS = 'GET, HEAD, POST, PATCH, DELETE, OPTIONS';

/** Whether a header is a CORS one: a library's own (tus sets `*`) are dropped for this policy. */
export const isCorsHeader = (name: string) => name.toLowerCase().startsWith('access-control-');

/**
 * The API's one CORS policy, for every route (tus uploads included): the configured
 * origins only. No credentials are involved (the API key is a header the page sets), and
 * an origin not on the list gets no CORS header at all, on any answer. A preflight from
 * an allowed origin is answered here; any other OPTIONS goes on to the routes.
 */
export function corsFor(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin) res.vary('Origin');
    if (!origin || !allowed.has(origin)) return next();
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', EXPOSED);
    if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
      res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
