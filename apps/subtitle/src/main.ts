import { loadConfig, runMain, serviceConfigSchema, startService } from '@vidp/service-kit';

// The subtitle processor: timed subtitles (WebVTT, SRT). Stateless; its job routes arrive with its own issue.
runMain(async () => {
  const config = loadConfig(serviceConfigSchema('subtitle', 8003));
  await startService({ config });
});
