import { serviceConfigSchema } from '@vidp/service-kit';
import { z } from 'zod';

const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

export const mainAppConfigSchema = serviceConfigSchema('main-app', 8000).extend({
  /** Any MongoDB-wire server: a real MongoDB replica set in Kubernetes, FerretDB locally. */
  MONGODB_URL: z.string().startsWith('mongodb').default('mongodb://127.0.0.1:27017/vidp'),
  /** Longest video accepted (what the container claims), and largest picture side. */
  MAX_VIDEO_SECONDS: z.coerce
    .number()
    .positive()
    .default(6 * 3600),
  MAX_VIDEO_DIMENSION: z.coerce.number().int().min(16).max(16384).default(8192),
  /** Browser origins allowed to call the API (comma-separated); none by default. */
  CORS_ORIGINS: list.refine((o) => !o.includes('*'), 'CORS_ORIGINS lists origins; "*" is not allowed'),
  /** Name of the secret (in the Dapr secret store) holding the API key(s), comma-separated. */
  API_KEY_SECRET: z.string().default('vidp-api-key'),
  /** Partial resumable uploads; with several replicas, a shared volume (or sticky sessions). */
  RESUMABLE_DIR: z.string().optional(),
  /**
   * `all`: serve the API and run the tasks. `api`: serve the API only (uploads, queries, SSE),
   * leaving the tasks to the other replicas, so the two can be scaled apart.
   */
  MAIN_APP_ROLE: z.enum(['all', 'api']).default('all'),
  ORCH_POLL_MS: z.coerce.number().int().min(100).default(1000),
  TASK_LEASE_MS: z.coerce.number().int().min(1500).default(30_000),
  TASK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  TASK_BACKOFF_BASE_MS: z.coerce.number().int().min(10).default(2000),
  TASK_BACKOFF_MAX_MS: z.coerce.number().int().min(10).default(60_000),
  TASK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * `memory`: each replica answers lists from its in-memory read model (kept right by
   * events and a periodic full read). `database`: every list is a database query.
   */
  CATALOG_LISTS: z.enum(['memory', 'database']).default('memory'),
  CATALOG_RESYNC_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Over this many videos lists go to the database (a real MongoDB, with its indexes). */
  CATALOG_MEMORY_MAX_VIDEOS: z.coerce.number().int().min(1).default(50_000),
});

export type MainAppConfig = z.infer<typeof mainAppConfigSchema>;
