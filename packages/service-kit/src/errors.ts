import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** An error whose status and message are meant for the caller (RFC 9457 problem details). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

/** An HttpError with the standard title of its status (e.g. 422 "Unprocessable Entity"). */
export const httpError = (status: number, detail: string, extra?: Record<string, unknown>) =>
  new HttpError(status, STATUS_CODES[status] ?? 'Error', detail, extra);

export const badRequest = (detail: string, extra?: Record<string, unknown>) =>
  new HttpError(400, 'Bad Request', detail, extra);
export const payloadTooLarge = (detail: string) => new HttpError(413, 'Payload Too Large', detail);
export const unsupportedMedia = (detail: string) => new HttpError(415, 'Unsupported Media Type', detail);
export const notFound = (detail: string) => new HttpError(404, 'Not Found', detail);
export const unprocessable = (detail: string, extra?: Record<string, unknown>) =>
  new HttpError(422, 'Unprocessable Content', detail, extra);

export function problemBody(err: HttpError, instance?: string) {
  return {
    type: 'about:blank',
    title: err.title,
    status: err.status,
    ...(err.detail ? { detail: err.detail } : {}),
    ...(instance ? { instance } : {}),
    ...err.extra,
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(notFound(`No route for ${req.method} ${req.path}`));
};

/** Turns any thrown error into application/problem+json; hides internals on 5xx. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let problem: HttpError;
    if (err instanceof HttpError) {
      problem = err;
    } else if (err?.type === 'entity.too.large') {
      problem = payloadTooLarge('The request body is larger than this endpoint accepts.');
    } else if (err?.type === 'entity.parse.failed') {
      problem = badRequest('The request body is not valid JSON.');
    } else {
      (req.log ?? logger).error({ err }, 'unhandled error');
      problem = new HttpError(500, 'Internal Server Error', 'The service failed; see its logs.');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(problem.status).type('application/problem+json').json(problemBody(problem, req.originalUrl));
  };
}
