import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFerretDb } from '@vidp/local-stack';

export interface MongoServer {
  url: string;
  /** A real MongoDB (its query planner can be asked what it did). */
  real: boolean;
  stop(): Promise<void>;
}

/**
 * The MongoDB-wire servers a test runs on: FerretDB always, and a real MongoDB too when
 * TEST_MONGODB_URL points at one (each test uses its own database there).
 */
export function mongoServers(database: string): [string, () => Promise<MongoServer>][] {
  const servers: [string, () => Promise<MongoServer>][] = [
    [
      'FerretDB 1.24 (SQLite)',
      async () => {
        const dir = await mkdtemp(join(tmpdir(), 'vidp-mongo-'));
        const server = await startFerretDb({ dir });
        return {
          url: `mongodb://127.0.0.1:${server.port}/${database}`,
          real: false,
          stop: async () => {
            await server.process.stop();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
    ],
  ];
  const real = process.env.TEST_MONGODB_URL;
  if (real) {
    servers.push([
      'MongoDB',
      async () => {
        const url = new URL(real);
        url.pathname = `/${database}`;
        return { url: url.toString(), real: true, stop: async () => {} };
      },
    ]);
  }
  return servers;
}
