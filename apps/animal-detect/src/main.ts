import { loadConfig, runMain, serviceConfigSchema, startService } from '@vidp/service-kit';

// The animal-detect processor: animal appearances. Stateless; its job routes arrive with its own issue.
runMain(async () => {
  const config = loadConfig(serviceConfigSchema('animal-detect', 8004));
  await startService({ config });
});
