import { loadConfig, runMain, startService } from '@vidp/service-kit';
import { connectMongo, mongoCheck } from './adapters/mongo.js';
import { mainAppConfigSchema } from './config.js';

// main-app: owns the catalog and orchestrates the processors through Dapr.
runMain(async () => {
  const config = loadConfig(mainAppConfigSchema);
  const mongo = connectMongo(config.MONGODB_URL);
  const service = await startService({ config, readiness: [mongoCheck(mongo)] });
  service.ctx.lifecycle.onClose(() => mongo.close());
});
