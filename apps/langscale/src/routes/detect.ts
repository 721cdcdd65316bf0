import { progressTargetFromHeaders } from '@vidp/contracts';
import { runUploadJob, type ServiceContext, withTempDir } from '@vidp/service-kit';
import { MISSING_FILE, type SpeechEngine, speechHttpError } from '@vidp/speech';
import type { Express } from 'express';
import { extractPcm, frameEnergies, readPcmRanges } from '../adapters/speech.js';
import type { LangscaleConfig } from '../config.js';
import { detectLanguage } from '../domain/detect-language.js';
import { parseDetectFields } from './options.js';

export const DETECT_PATH = '/api/detect/upload';

/** POST /api/detect/upload: multipart `file`, `duration`, `test_all_languages` → JSON. */
export function detectRoute(app: Express, ctx: ServiceContext<LangscaleConfig>, engine: SpeechEngine): void {
  const { config } = ctx;
  app.post(DETECT_PATH, (req, res) =>
    runUploadJob(
      req,
      res,
      ctx,
      {
        maxFields: 5,
        progressTarget: (r) => progressTargetFromHeaders(r.headers, 'langscale'),
        missingFile: MISSING_FILE,
        mapError: speechHttpError,
      },
      async ({ file: source, fields, signal, log, report }) => {
        const options = parseDetectFields(fields);
        await withTempDir(
          'langscale',
          async (dir) => {
            const pcm = await extractPcm(source.path, `${dir}/audio.f32`, { signal });
            report(0.1, 'audio decoded');
            const energies = await frameEnergies(pcm.path);
            const result = await detectLanguage(pcm, energies, engine, (r) => readPcmRanges(pcm.path, r), {
              durationSec: options.duration,
              allLanguages: options.test_all_languages,
              fitEncoder: config.WHISPER_FIT_ENCODER,
              signal,
              onProgress: (p) => report(0.1 + 0.9 * p, 'recognising'),
            });
            report(1, 'done');
            const info = engine.info();
            log.info(
              { sha256: source.sha256, language: result.language, confidence: result.confidence },
              'language detected',
            );
            res.json({ ...result, engine: { name: info?.name, model: info?.model, binding: info?.binding } });
          },
          config.TMP_DIR,
        );
      },
    ),
  );
}
