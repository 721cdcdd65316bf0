import { loadConfig, runMain, startService } from '@vidp/service-kit';
import { createEngine, engineReadiness } from './adapters/speech.js';
import { subtitleConfigSchema } from './config.js';
import { subtitlesRoute } from './routes/subtitles.js';

// The subtitle processor: Whisper transcription (or translation to English) into WebVTT and SRT.
// Stateless: the media arrives in the request; the model is loaded once per process.
runMain(async () => {
  const config = loadConfig(subtitleConfigSchema);
  const engine = createEngine(config);
  engine.start().catch(() => undefined); // load at boot; /ready reports a failure
  await startService({
    config,
    readiness: [engineReadiness(engine)],
    routes: (app, ctx) => subtitlesRoute(app, ctx, engine),
  });
});
