import { serviceConfigSchema } from '@vidp/service-kit';
import { z } from 'zod';

export const mainAppConfigSchema = serviceConfigSchema('main-app', 8000).extend({
  /** Any MongoDB-wire server: a real MongoDB replica set in Kubernetes, FerretDB locally. */
  MONGODB_URL: z.string().startsWith('mongodb').default('mongodb://127.0.0.1:27017/vidp'),
});

export type MainAppConfig = z.infer<typeof mainAppConfigSchema>;
