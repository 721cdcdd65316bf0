import type { ReadinessCheck } from '@vidp/service-kit';
import {
  MongoClient,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';

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

/** Whether an error means the database could not be reached (rather than a wrong request). */
export function isUnreachable(err: unknown): boolean {
  return (
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNetworkError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError
  );
}
