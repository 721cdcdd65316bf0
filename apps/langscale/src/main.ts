import { loadConfig, runMain, startService } from '@vidp/service-kit';
import { createEngine, engineReadiness } from './adapters/speech.js';
import { langscaleConfigSchema } from './config.js';
import { detectRoute } from './routes/detect.js';

// The langscale processor: spoken-language detection with Whisper over voice-activity windows.
// Stateless: the media arrives in the request; the model is loaded once per process.
runMain(async () => {
  const config = loadConfig(langscaleConfigSchema);
  const engine = createEngine(config);
  engine.start().catch(() => undefined); // load at boot; /ready reports a failure
  await startService({
    config,
    readiness: [engineReadiness(engine)],
    routes: (app, ctx) => detectRoute(app, ctx, engine),
  });
});
