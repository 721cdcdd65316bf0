import { dirname } from 'node:path';
import { progressTargetFromHeaders } from '@vidp/contracts';
import { FfmpegError, ffmpegReason, type MediaInfo, probeMedia, UnsupportedMediaError } from '@vidp/media';
import {
  filePart,
  replyMultipart,
  runUploadJob,
  type ServiceContext,
  unprocessable,
} from '@vidp/service-kit';
import type { Express } from 'express';
import type { Config } from '../config.js';
import { detectAnimals } from '../detect-animals.js';
import type { Detector, SpeciesClassifier } from '../domain/analyze.js';
import { decodeRate } from '../domain/sampling.js';
import { parseOptions } from './options.js';

/**
 * POST /api/animals/upload — multipart field `file` (a video) and options `mode`, `fps`,
 * `minConfidence`, `species`, `gapTolerance`. Answers a multipart body: a JSON part `result`
 * and one JPEG part per species seen (its best frame, box drawn).
 */
export function animalRoutes(
  app: Express,
  ctx: ServiceContext<Config>,
  detector: Detector,
  classifier?: SpeciesClassifier,
): void {
  const { config } = ctx;

  app.get('/api/animals/species', (_req, res) => {
    res.json({ model: detector.info.name, species: detector.info.animals });
  });

  app.post('/api/animals/upload', (req, res) =>
    runUploadJob(
      req,
      res,
      ctx,
      {
        maxFields: 10,
        progressTarget: (r) => progressTargetFromHeaders(r.headers, 'animal-detect'),
        missingFile: 'Send the video in a multipart file field named "file".',
      },
      async ({ file, fields, signal, log, report: progress }) => {
        const options = parseOptions(fields, detector.info.animals);
        const info = await probe(file.path, signal);
        const v = info.video;
        if (!v) {
          throw unprocessable(
            'The file has no video stream (an audio-only file?): animal detection needs pictures.',
          );
        }
        const duration = info.durationSec || v.durationSec || 0;
        if (duration > config.MAX_VIDEO_SECONDS) {
          throw unprocessable(
            `The video lasts ${Math.round(duration)} s; this service accepts at most ${config.MAX_VIDEO_SECONDS} s.`,
            { durationSec: duration, maxDurationSec: config.MAX_VIDEO_SECONDS },
          );
        }
        const frames = Math.ceil(duration * decodeRate(options.policy, v.fps));
        if (frames > config.MAX_DECODED_FRAMES) {
          throw unprocessable(
            `Analysing this video would decode ${frames} frames; the limit is ${config.MAX_DECODED_FRAMES}. Lower "fps" or send a shorter video.`,
            { frames, maxFrames: config.MAX_DECODED_FRAMES },
          );
        }
        progress(0, 'detecting');
        let out: Awaited<ReturnType<typeof detectAnimals>>;
        try {
          out = await detectAnimals({
            videoPath: file.path,
            info,
            options,
            detector,
            ...(classifier ? { classifier } : {}),
            workDir: dirname(file.path),
            signal,
            onProgress: progress,
          });
        } catch (err) {
          if (err instanceof FfmpegError && !signal.aborted && err.exitCode !== null) {
            throw unprocessable(
              `The video could not be decoded: ${ffmpegReason(err.stderrTail, file.path) || err.message}.`,
            );
          }
          throw err;
        }
        progress(1, 'done');
        log.info(
          {
            framesDecoded: out.result.sampling.framesDecoded,
            framesInferred: out.result.sampling.framesInferred,
            species: out.result.appearances.map((a) => a.species),
          },
          'animals detected',
        );
        const parts = await Promise.all(
          out.files.map((f) => filePart(f.part, f.path, 'image/jpeg', f.filename)),
        );
        await replyMultipart(res, [{ name: 'result', value: JSON.stringify(out.result) }, ...parts]);
      },
    ),
  );
}

async function probe(path: string, signal: AbortSignal): Promise<MediaInfo> {
  try {
    return await probeMedia(path, { signal });
  } catch (err) {
    if (err instanceof UnsupportedMediaError) throw unprocessable(err.message);
    throw err;
  }
}
