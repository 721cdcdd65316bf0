import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { BaseConfig } from './config.js';
import { badRequest, type HttpError } from './errors.js';
import { type ReceivedFile, withMultipart } from './multipart.js';
import { abortOnDisconnect, type ProgressTarget, progressReporter } from './processor.js';
import type { ServiceContext } from './service.js';

export interface UploadJob {
  /** The multipart field `file`, on disk in this request's temp folder. */
  file: ReceivedFile;
  fields: Record<string, string>;
  /** Fires when the caller goes away: stop the work. */
  signal: AbortSignal;
  log: Logger;
  /** Publishes progress (0..1) where the caller asked for it; a no-op otherwise. */
  report(progress: number, stage?: string): void;
}

export interface UploadJobOptions {
  maxFields?: number;
  /** Said to a caller who sent no `file`. */
  missingFile?: string;
  /** Turns a domain error into the answer the caller should get (else: 500). */
  mapError?(err: unknown): HttpError | undefined;
  /** Where this request's progress goes (from the caller's headers), if anywhere. */
  progressTarget?(req: Request): ProgressTarget | undefined;
}

/**
 * The shape every processor's upload route shares: receive the multipart upload (within the
 * service's limits, in its temp folder, always cleaned), require a `file`, run the job with
 * a cancellation signal and a progress reporter, and when the caller has gone away just drop
 * the connection.
 */
export async function runUploadJob<C extends BaseConfig>(
  req: Request,
  res: Response,
  ctx: ServiceContext<C>,
  opts: UploadJobOptions,
  work: (job: UploadJob) => Promise<void>,
): Promise<void> {
  const signal = abortOnDisconnect(req, res);
  const log = req.log ?? ctx.logger;
  const report = progressReporter(ctx.sidecar, opts.progressTarget?.(req), log);
  const { config } = ctx;
  try {
    await withMultipart(
      req,
      {
        maxFileBytes: config.MAX_UPLOAD_BYTES,
        maxFields: opts.maxFields ?? 10,
        ...(config.TMP_DIR ? { tmpParent: config.TMP_DIR } : {}),
      },
      async (upload) => {
        const file = upload.files.find((f) => f.field === 'file');
        if (!file)
          throw badRequest(opts.missingFile ?? 'Send the media in a multipart file field named "file".');
        await work({ file, fields: upload.fields, signal, log, report });
      },
    );
  } catch (err) {
    if (signal.aborted) {
      log.info({ reason: (signal.reason as Error)?.message }, 'job cancelled by the caller');
      res.destroy();
      return;
    }
    throw opts.mapError?.(err) ?? err;
  }
}
