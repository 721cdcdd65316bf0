import { progressTargetFromHeaders } from '@vidp/contracts';
import {
  abortOnDisconnect,
  badRequest,
  httpError,
  progressReporter,
  type ServiceContext,
  withMultipart,
  withTempDir,
} from '@vidp/service-kit';
import { type SpeechEngine, speechErrorStatus } from '@vidp/speech';
import type { Express } from 'express';
import { extractPcm, frameEnergies, readPcmRanges } from '../adapters/speech.js';
import type { LangscaleConfig } from '../config.js';
import { detectLanguage } from '../domain/detect-language.js';
import { parseDetectFields } from './options.js';

export const DETECT_PATH = '/api/detect/upload';

/** POST /api/detect/upload: multipart `file`, `duration`, `test_all_languages` → JSON. */
export function detectRoute(app: Express, ctx: ServiceContext<LangscaleConfig>, engine: SpeechEngine): void {
  const { config } = ctx;
  app.post(DETECT_PATH, async (req, res) => {
    const signal = abortOnDisconnect(req, res);
    const log = req.log ?? ctx.logger;
    const report = progressReporter(ctx.sidecar, progressTargetFromHeaders(req.headers, 'langscale'), log);
    try {
      await withMultipart(
        req,
        {
          maxFileBytes: config.MAX_UPLOAD_BYTES,
          maxFields: 5,
          ...(config.TMP_DIR ? { tmpParent: config.TMP_DIR } : {}),
        },
        async (upload) => {
          const options = parseDetectFields(upload.fields);
          const source = upload.files.find((f) => f.field === 'file');
          if (!source) throw badRequest('Send the video or audio in a multipart file field named "file".');
          await withTempDir(
            'langscale',
            async (dir) => {
              const pcm = await extractPcm(source.path, `${dir}/audio.f32`, { signal });
              report(0.1, 'audio decoded');
              const energies = await frameEnergies(pcm.path);
              const result = await detectLanguage(pcm, energies, engine, (r) => readPcmRanges(pcm.path, r), {
                durationSec: options.duration,
                allLanguages: options.test_all_languages,
                signal,
                onProgress: (p) => report(0.1 + 0.9 * p, 'recognising'),
              });
              report(1, 'done');
              const info = engine.info();
              log.info(
                { sha256: source.sha256, language: result.language, confidence: result.confidence },
                'language detected',
              );
              res.json({ ...result, engine: { name: info?.name, model: info?.model } });
            },
            config.TMP_DIR,
          );
        },
      );
    } catch (err) {
      if (signal.aborted) {
        log.info({ reason: (signal.reason as Error)?.message }, 'detection cancelled by the caller');
        res.destroy();
        return;
      }
      const mapped = speechErrorStatus(err);
      if (mapped) throw httpError(mapped.status, mapped.detail);
      throw err;
    }
  });
}
