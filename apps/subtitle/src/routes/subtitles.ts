import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { progressTargetFromHeaders } from '@vidp/contracts';
import { filePart, replyMultipart, runUploadJob, type ServiceContext, withTempDir } from '@vidp/service-kit';
import { MISSING_FILE, type SpeechEngine, speechHttpError } from '@vidp/speech';
import type { Express } from 'express';
import { extractPcm, frameEnergies, readPcmRanges } from '../adapters/speech.js';
import type { SubtitleConfig } from '../config.js';
import { makeSubtitles } from '../domain/make-subtitles.js';
import { parseSubtitleFields } from './options.js';

export const SUBTITLES_PATH = '/api/subtitles/upload';

/**
 * POST /api/subtitles/upload: multipart `file`, optional `language`, optional `translate`;
 * answers a streamed multipart body: JSON part `result`, then `subtitles.vtt` and `subtitles.srt`.
 */
export function subtitlesRoute(
  app: Express,
  ctx: ServiceContext<SubtitleConfig>,
  engine: SpeechEngine,
): void {
  const { config } = ctx;
  app.post(SUBTITLES_PATH, (req, res) =>
    runUploadJob(
      req,
      res,
      ctx,
      {
        maxFields: 5,
        progressTarget: (r) => progressTargetFromHeaders(r.headers, 'subtitle'),
        missingFile: MISSING_FILE,
        mapError: speechHttpError,
      },
      async ({ file: source, fields, signal, log, report }) => {
        const info = await engine.start();
        const options = parseSubtitleFields(fields, info.languages);
        await withTempDir(
          'subtitle',
          async (dir) => {
            const pcm = await extractPcm(source.path, join(dir, 'audio.f32'), { signal });
            report(0.05, 'audio decoded');
            const energies = await frameEnergies(pcm.path);
            const { result, vtt, srt } = await makeSubtitles(
              pcm,
              energies,
              engine,
              (a, b) => readPcmRanges(pcm.path, [[a, b]]),
              {
                ...(options.language ? { language: options.language } : {}),
                translate: options.translate,
                beamSize: config.WHISPER_BEAM_SIZE,
                fitEncoder: config.WHISPER_FIT_ENCODER,
                signal,
                onProgress: (p) => report(0.05 + 0.95 * p, 'transcribing'),
              },
            );
            const vttPath = join(dir, 'subtitles.vtt');
            const srtPath = join(dir, 'subtitles.srt');
            await writeFile(vttPath, vtt);
            await writeFile(srtPath, srt);
            report(1, 'done');
            log.info(
              { sha256: source.sha256, language: result.language, cues: result.cues },
              'subtitles done',
            );
            await replyMultipart(res, [
              {
                name: 'result',
                value: JSON.stringify({
                  ...result,
                  engine: { name: info.name, model: info.model, binding: info.binding },
                }),
              },
              await filePart('subtitles.vtt', vttPath, 'text/vtt; charset=utf-8', 'subtitles.vtt'),
              await filePart(
                'subtitles.srt',
                srtPath,
                'application/x-subrip; charset=utf-8',
                'subtitles.srt',
              ),
            ]);
          },
          config.TMP_DIR,
        );
      },
    ),
  );
}
