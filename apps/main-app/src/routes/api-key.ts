import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '@vidp/service-kit';
import type { RequestHandler } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Every read or write of someone's media needs `X-API-Key`. Keys come from the Dapr
 * secret store; the comparison takes the same time whatever the key.
 */
export function requireApiKey(keys: () => string[]): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'OPTIONS') return next();
    const given = req.get('x-api-key');
    if (!given) return next(new HttpError(401, 'Unauthorized', 'Send your API key in the X-API-Key header.'));
    const g = digest(given);
    if (!keys().some((k) => timingSafeEqual(digest(k), g))) {
      return next(new HttpError(401, 'Unauthorized', 'The API key is not valid.'));
    }
    next();
  };
}
