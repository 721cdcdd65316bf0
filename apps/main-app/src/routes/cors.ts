import type { RequestHandler } from 'express';

/**
 * CORS for the configured origins only. No credentials are involved (the API key is a
 * header the page sets), and an origin not on the list gets no CORS headers at all.
 */
export function corsFor(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader(
        'access-control-expose-headers',
        'Location, Content-Range, Accept-Ranges, X-Request-Id, Upload-Offset, Upload-Length, Tus-Resumable, Vidp-Video-Id',
      );
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, HEAD, POST, PATCH, DELETE, OPTIONS');
        res.setHeader(
          'access-control-allow-headers',
          'X-API-Key, Content-Type, Range, Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, Upload-Defer-Length',
        );
        res.setHeader('access-control-max-age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}
