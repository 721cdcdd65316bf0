import { loadConfig, runMain, serviceConfigSchema, startService } from '@vidp/service-kit';

// The downscale processor: renditions (H.264/AAC ladder, posters). Stateless; its job routes arrive with its own issue.
runMain(async () => {
  const config = loadConfig(serviceConfigSchema('downscale', 8001));
  await startService({ config });
});
