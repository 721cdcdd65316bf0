import { progressTargetFromHeaders } from '@vidp/contracts';
import {
  filePart,
  type HttpError,
  type Part,
  replyMultipart,
  runUploadJob,
  type ServiceContext,
  unprocessable,
  unsupportedMedia,
  withTempDir,
} from '@vidp/service-kit';
import type { Express } from 'express';
import type { DownscaleConfig } from '../config.js';
import { downscale, type Limits } from '../domain/downscale.js';
import { SourceRejected } from '../domain/errors.js';
import type { MediaTools } from '../domain/ports.js';
import type { JobSlots } from './job-slots.js';
import { parseUploadFields } from './options.js';

export const UPLOAD_PATH = '/api/downscale/upload';

function asHttpError(err: unknown): HttpError | undefined {
  if (!(err instanceof SourceRejected)) return undefined;
  return err.kind === 'unsupported'
    ? unsupportedMedia(err.message)
    : unprocessable(err.message, { reason: err.kind });
}

/**
 * POST /api/downscale/upload: multipart `file` plus options; answers a streamed
 * multipart/form-data body with a JSON part `result` and one part per output file.
 */
export function uploadRoute(
  app: Express,
  ctx: ServiceContext<DownscaleConfig>,
  deps: { tools: MediaTools; limits: Limits; slots: JobSlots },
): void {
  const { config } = ctx;
  app.post(UPLOAD_PATH, (req, res) =>
    runUploadJob(
      req,
      res,
      ctx,
      {
        maxFields: 10,
        progressTarget: (r) => progressTargetFromHeaders(r.headers, 'downscale'),
        missingFile: 'Send the video in a multipart file field named "file".',
        mapError: asHttpError,
      },
      async ({ file: source, fields, signal, log, report }) => {
        const options = parseUploadFields(fields);
        await withTempDir(
          'downscale',
          async (workDir) => {
            const release = await deps.slots.acquire(signal);
            let job: Awaited<ReturnType<typeof downscale>>;
            try {
              job = await downscale({
                sourcePath: source.path,
                options,
                workDir,
                tools: deps.tools,
                limits: deps.limits,
                signal,
                onProgress: report,
              });
            } finally {
              release();
            }
            const { result, files } = job;
            log.info(
              {
                sha256: source.sha256,
                rungs: result.settings.rungs,
                encodeSec: result.timings.encodeSec,
                files: files.length,
              },
              'downscale done',
            );
            const parts: Part[] = [
              {
                name: 'result',
                value: JSON.stringify({ ...result, source: { ...result.source, sha256: source.sha256 } }),
              },
              ...(await Promise.all(files.map((f) => filePart(f.part, f.path, f.contentType, f.filename)))),
            ];
            await replyMultipart(res, parts);
          },
          config.TMP_DIR,
        );
      },
    ),
  );
}
