import { loadConfig, runMain, serviceConfigSchema, startService } from '@vidp/service-kit';

// The langscale processor: spoken-language detection. Stateless; its job routes arrive with its own issue.
runMain(async () => {
  const config = loadConfig(serviceConfigSchema('langscale', 8002));
  await startService({ config });
});
