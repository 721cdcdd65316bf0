import type { ReadinessCheck } from '@vidp/service-kit';
import { MongoClient } from 'mongodb';

/** One client per process; the driver pools connections and reconnects by itself. */
export function connectMongo(url: string): MongoClient {
  return new MongoClient(url, { serverSelectionTimeoutMS: 2000, appName: 'vidp-main-app' });
}

export function mongoCheck(client: MongoClient): ReadinessCheck {
  return {
    name: 'mongodb',
    async check() {
      try {
        await client.db().command({ ping: 1 });
        return { ok: true };
      } catch (err) {
        return { ok: false, reason: `MongoDB not reachable: ${(err as Error).message}` };
      }
    },
  };
}
