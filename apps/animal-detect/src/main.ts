import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, runMain, startService } from '@vidp/service-kit';
import { isInferenceWorker, serveInference } from './adapters/inference-worker.js';
import { WorkerDetector } from './adapters/worker-detector.js';
import { configSchema, modelClasses } from './config.js';
import { IMAGENET_COVERED, IMAGENET_OVERLOOKS } from './domain/imagenet-species.js';
import { animalRoutes } from './routes/upload.js';

// The animal-detect processor: finds animals in a video (species, time ranges, best frames).
// This module is also the inference worker's entry: the same file runs in the worker thread,
// so the bundled app needs no second file.
if (isInferenceWorker()) {
  void serveInference();
} else {
  runMain(async () => {
    const config = loadConfig(configSchema);
    const { labels, animals, closeSpecies } = modelClasses(config);
    if (!existsSync(config.DETECTOR_MODEL_PATH)) {
      throw new ConfigError(
        `DETECTOR_MODEL_PATH: no model at ${config.DETECTOR_MODEL_PATH} (scripts/provision.sh makes the default one).`,
      );
    }
    const secondStage = config.CLASSIFIER === 'on';
    if (secondStage && !existsSync(config.CLASSIFIER_MODEL_PATH)) {
      throw new ConfigError(
        `CLASSIFIER_MODEL_PATH: no model at ${config.CLASSIFIER_MODEL_PATH} (scripts/provision.sh makes the default one; CLASSIFIER=off runs without it).`,
      );
    }
    // The classifier names COCO animals: it has a say only on those this detector reports.
    const covered = IMAGENET_COVERED.filter((s) => animals.includes(s));
    const detector = await WorkerDetector.start(
      new URL(import.meta.url),
      {
        modelPath: config.DETECTOR_MODEL_PATH,
        format: config.DETECTOR_FORMAT,
        numClasses: labels.length,
        ...(config.DETECTOR_THREADS ? { threads: config.DETECTOR_THREADS } : {}),
      },
      { name: config.DETECTOR_MODEL_PATH.split('/').pop() ?? 'model', labels, animals, closeSpecies },
      secondStage && covered.length > 0
        ? {
            options: {
              modelPath: config.CLASSIFIER_MODEL_PATH,
              ...(config.DETECTOR_THREADS ? { threads: config.DETECTOR_THREADS } : {}),
            },
            info: {
              name: config.CLASSIFIER_MODEL_PATH.split('/').pop() ?? 'classifier',
              species: covered,
              overlooks: IMAGENET_OVERLOOKS,
            },
          }
        : undefined,
    );
    const service = await startService({
      config,
      routes: (app, ctx) => animalRoutes(app, ctx, detector, detector.classifier),
      readiness: [
        {
          name: 'detector',
          check: async () =>
            detector.healthy ? { ok: true } : { ok: false, reason: 'the inference worker is not running' },
        },
      ],
    });
    service.ctx.lifecycle.onClose(() => detector.close());
  });
}
