import { randomUUID } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUBSUB, type TaskProgressEvent, TOPICS } from '@vidp/contracts';
import { type CloudEvent, loadConfig, runMain, startService } from '@vidp/service-kit';
import { ApiKeys } from './adapters/api-keys.js';
import { Catalog } from './adapters/catalog.js';
import { CatalogReadModel } from './adapters/catalog-read-model.js';
import { gridFsStore } from './adapters/gridfs-store.js';
import { connectMongo, mongoCheck } from './adapters/mongo.js';
import { ProcessorClient } from './adapters/processor-client.js';
import { pubsubEvents } from './adapters/pubsub-events.js';
import { processorChecks, stateStoreCheck } from './adapters/readiness.js';
import { taskMetrics } from './adapters/task-metrics.js';
import { TaskStateStore } from './adapters/task-state.js';
import { mainAppConfigSchema } from './config.js';
import { EventHub } from './domain/event-hub.js';
import { Orchestrator } from './domain/orchestrator.js';
import { requireApiKey } from './routes/api-key.js';
import { corsFor } from './routes/cors.js';
import { methodGuard } from './routes/method-guard.js';
import { openApiDocument, openApiRoutes } from './routes/openapi.js';
import { catalogOutage } from './routes/outage.js';
import { resumableRoutes } from './routes/resumable.js';
import { videoRoutes } from './routes/videos.js';

/** Every replica receives every event on this component (its consumer group is per replica). */
const BROADCAST = 'vidp-events';
const HUB_TOPICS = Object.values(TOPICS);

// main-app: owns the catalog and the stored files, and orchestrates the processors through Dapr.
runMain(async () => {
  const config = loadConfig(mainAppConfigSchema);
  const mongo = connectMongo(config.MONGODB_URL);
  const db = mongo.db();
  const catalog = new Catalog(db);
  const blobs = gridFsStore(db);
  const hub = new EventHub();
  // Filled in once the service (and so its sidecar client and logger) exists.
  let orchestrator: Orchestrator | undefined;
  let readModel: CatalogReadModel | undefined;

  const service = await startService({
    config,
    readiness: [mongoCheck(mongo)],
    subscriptions: [
      { pubsubName: PUBSUB, topic: TOPICS.videoUploaded, handler: async () => orchestrator?.wake() },
      {
        pubsubName: PUBSUB,
        topic: TOPICS.taskProgress,
        handler: async (e: CloudEvent<TaskProgressEvent>) => {
          if (typeof e.data?.videoId === 'string' && typeof e.data.progress === 'number') {
            await catalog.setProgress(e.data.videoId, e.data.task, e.data.progress);
          }
        },
      },
      ...HUB_TOPICS.map((topic) => ({
        pubsubName: BROADCAST,
        topic,
        handler: async (e: CloudEvent<Record<string, unknown>>) => {
          if (typeof e.data?.videoId !== 'string') return;
          hub.emit({ topic, videoId: e.data.videoId, data: e.data });
          readModel?.heard(topic, e.data);
        },
      })),
    ],
    routes(app, { sidecar, logger, lifecycle, addReadiness, metrics }) {
      const state = new TaskStateStore(sidecar);
      const events = pubsubEvents(sidecar);
      const keys = new ApiKeys(sidecar, config.API_KEY_SECRET, logger);
      orchestrator = new Orchestrator(
        {
          catalog,
          state,
          blobs,
          events,
          logger,
          processors: new ProcessorClient(sidecar, blobs),
          replicaId: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
          track: (p) => lifecycle.track(p),
          metrics: taskMetrics(metrics, catalog.videos, () => readModel?.processing()),
          processingIds: (limit) => readModel?.processing(limit)?.map((row) => row._id),
        },
        {
          pollMs: config.ORCH_POLL_MS,
          leaseMs: config.TASK_LEASE_MS,
          maxAttempts: config.TASK_MAX_ATTEMPTS,
          backoffBaseMs: config.TASK_BACKOFF_BASE_MS,
          backoffMaxMs: config.TASK_BACKOFF_MAX_MS,
          concurrency: config.TASK_CONCURRENCY,
        },
      );
      const orch = orchestrator;
      const mediaLimits = {
        maxDurationSec: config.MAX_VIDEO_SECONDS,
        maxDimension: config.MAX_VIDEO_DIMENSION,
      };
      if (config.CATALOG_LISTS === 'memory') {
        const model = new CatalogReadModel(
          catalog,
          { resyncMs: config.CATALOG_RESYNC_MS, maxRows: config.CATALOG_MEMORY_MAX_VIDEOS },
          logger.child({ component: 'catalog-read-model' }),
        );
        catalog.onChange((id) => model.changed(id));
        lifecycle.onClose(() => model.stop());
        readModel = model;
      }
      keys.start();
      lifecycle.onClose(() => keys.stop());
      // One CORS policy and one route table (the OpenAPI document) in front of every route.
      app.use(corsFor(config.CORS_ORIGINS));
      app.use(methodGuard(openApiDocument().paths));
      app.use(openApiRoutes());
      app.use('/api/videos', requireApiKey(keys.current));
      app.use('/api/uploads', requireApiKey(keys.current));
      app.use(
        resumableRoutes({
          catalog,
          blobs,
          state,
          events,
          mediaLimits,
          directory: config.RESUMABLE_DIR ?? join(config.TMP_DIR ?? tmpdir(), 'vidp-resumable'),
          maxUploadBytes: config.MAX_UPLOAD_BYTES,
        }),
      );
      app.use(
        videoRoutes({
          catalog,
          readModel,
          blobs,
          state,
          events,
          hub,
          mediaLimits,
          maxUploadBytes: config.MAX_UPLOAD_BYTES,
          tmpDir: config.TMP_DIR,
          abortRunning: (id) => orch.abortVideo(id),
        }),
      );
      app.use(catalogOutage);
      addReadiness(keys.readiness());
      addReadiness(stateStoreCheck(sidecar));
      for (const check of processorChecks(sidecar)) addReadiness(check);
    },
  });
  service.ctx.lifecycle.onClose(() => orchestrator?.stop());
  service.ctx.lifecycle.onClose(() => mongo.close());
  await catalog.init();
  await blobs.init();
  readModel?.start();
  if (config.MAIN_APP_ROLE === 'all') orchestrator?.start();
});
