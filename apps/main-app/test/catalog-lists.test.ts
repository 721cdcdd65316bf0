import { MongoClient } from 'mongodb';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCatalog } from '../../../tests/support/catalog-docs.js';
import { type MongoServer, mongoServers } from '../../../tests/support/mongo-servers.js';
import { Catalog } from '../src/adapters/catalog.js';
import { CatalogReadModel } from '../src/adapters/catalog-read-model.js';
import { type ListQuery, mongoFilter, mongoSort } from '../src/domain/list-query.js';
import type { Video } from '../src/domain/model.js';
import { rowOf } from '../src/domain/video-row.js';

const docs = fakeCatalog(150, 7) as unknown as Video[];

/**
 * Each filter alone and combined, both orders, a first page, deep pages across creation
 * times shared by two videos, an empty result and a page past the end. (Few: FerretDB
 * scans and sorts the whole collection for each.)
 */
function queries(): ListQuery[] {
  const page = (over: Partial<ListQuery>): ListQuery => ({ sort: 'newest', limit: 20, offset: 0, ...over });
  return [
    page({}),
    page({ sort: 'oldest', limit: 7, offset: 13 }),
    page({ status: 'completed', limit: 100 }),
    page({ language: 'fr', sort: 'oldest', limit: 5, offset: 3 }),
    page({ species: 'dog', limit: 10, offset: 20 }),
    page({ species: 'zebra', status: 'completed' }),
    page({ status: 'partial', language: 'en', species: 'horse', sort: 'oldest' }),
    page({ language: 'xx' }),
    page({ limit: 5, offset: 400 }),
  ];
}

describe.each(mongoServers('vidp_catalog_lists'))('catalog lists on %s', (_name, start) => {
  let server: MongoServer;
  let client: MongoClient;
  let catalog: Catalog;
  let model: CatalogReadModel;

  beforeAll(async () => {
    server = await start();
    client = new MongoClient(server.url);
    await client.db().dropDatabase();
    catalog = new Catalog(client.db());
    await catalog.init();
    await catalog.videos.insertMany(docs);
    model = new CatalogReadModel(catalog, { resyncMs: 60_000, maxRows: 10_000 }, pino({ level: 'silent' }));
    catalog.onChange((id) => model.changed(id));
    model.start();
    for (let i = 0; i < 600 && !model.live; i++) await new Promise((r) => setTimeout(r, 50));
    expect(model.live).toBe(true);
  }, 180_000);
  afterAll(async () => {
    model?.stop();
    await client?.db().dropDatabase();
    await client?.close();
    await server?.stop();
  });

  it('reads a row with the projection exactly as the document reduces to it', async () => {
    for (const doc of docs.slice(0, 12)) expect(await catalog.row(doc._id)).toEqual(rowOf(doc));
  });

  it('answers every list query from memory exactly as the database does', async () => {
    for (const q of queries()) {
      const fromDb = await catalog.listRows(q);
      expect(model.list(q), JSON.stringify(q)).toEqual(fromDb);
    }
  }, 180_000);

  it('follows the catalog writes of this process', async () => {
    const [first] = docs;
    if (!first) throw new Error('no docs');
    await catalog.setTask(first._id, 'downscale', { status: 'failed', attempts: 4, lastError: 'x' });
    expect(model.list({ sort: 'oldest', limit: 1, offset: 0 })?.items[0]?.tasks.downscale?.status).toBe(
      'failed',
    );
    await catalog.remove(first._id);
    const q: ListQuery = { sort: 'oldest', limit: 100, offset: 0 };
    expect(model.list(q)).toEqual(await catalog.listRows(q));
    expect(model.list(q)?.items.some((r) => r._id === first._id)).toBe(false);
  });

  it('has an index for every list filter, with the list order after it', async () => {
    const keys = (await catalog.videos.listIndexes().toArray()).map((i) => JSON.stringify(i.key));
    for (const field of ['status', 'detectedLanguage', 'species'])
      expect(keys).toContain(JSON.stringify({ [field]: 1, createdAt: -1, _id: -1 }));
    expect(keys).toContain(JSON.stringify({ createdAt: -1, _id: -1 }));
    expect(keys).toContain(JSON.stringify({ sha256: 1 }));
  });
});

// The planner's word on the indexes, where there is a real MongoDB to ask.
for (const [name, start] of mongoServers('vidp_catalog_plans').filter(([n]) => n === 'MongoDB')) {
  describe(`catalog query plans on ${name}`, () => {
    let server: MongoServer;
    let client: MongoClient;
    let catalog: Catalog;
    beforeAll(async () => {
      server = await start();
      client = new MongoClient(server.url);
      await client.db().dropDatabase();
      catalog = new Catalog(client.db());
      await catalog.init();
      await catalog.videos.insertMany(docs);
    });
    afterAll(async () => {
      await client?.db().dropDatabase();
      await client?.close();
      await server?.stop();
    });

    it('reads every list query through an index, without a sort in memory', async () => {
      for (const q of queries()) {
        const plan = JSON.stringify(
          await catalog.videos
            .find(mongoFilter(q), { sort: mongoSort(q), limit: q.limit })
            .explain('queryPlanner'),
        );
        expect(plan, JSON.stringify(q)).toContain('IXSCAN');
        expect(plan, JSON.stringify(q)).not.toContain('COLLSCAN');
        expect(plan, JSON.stringify(q)).not.toContain('"stage":"SORT"');
      }
    });
  });
}
