import { HttpError } from '@vidp/service-kit';
import type { ErrorRequestHandler } from 'express';
import { isUnreachable } from '../adapters/mongo.js';

/** A catalog outage is a 503 the client may retry, not a 500 (the service itself is fine). */
export const catalogOutage: ErrorRequestHandler = (err, _req, res, next) => {
  if (!isUnreachable(err)) return next(err);
  if (!res.headersSent) res.setHeader('retry-after', '5');
  next(
    new HttpError(503, 'Service Unavailable', 'The catalog is unreachable right now; try again in a moment.'),
  );
};
