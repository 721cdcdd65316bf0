import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StartedServer, startFerretDb } from '@vidp/local-stack';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../src/adapters/catalog.js';
import { backfillSearchTerms } from '../src/adapters/search.js';
import { compareRows, pageOfRows } from '../src/domain/list-query.js';
import type { Video } from '../src/domain/model.js';
import { resultFacts } from '../src/domain/result-facts.js';
import { queryTerms, searchTerms } from '../src/domain/search-terms.js';

describe('search terms', () => {
  it('keeps distinct lower-case words without accents, dropping one-letter ones', () => {
    expect(searchTerms('Ask not what YOUR country — can do; a Café, café!')).toEqual([
      'ask',
      'not',
      'what',
      'your',
      'country',
      'can',
      'do',
      'cafe',
    ]);
    expect(queryTerms('  Élan  vital ')).toEqual(['elan', 'vital']);
    expect(queryTerms('?!')).toEqual([]);
  });
});

// On the real MongoDB-wire server the catalog runs on locally (FerretDB, SQLite).
describe('catalog q= search over titles and transcripts (FerretDB)', () => {
  let dir: string;
  let server: StartedServer;
  let client: MongoClient;
  let catalog: Catalog;

  const video = (id: string, title: string, sha: string): Video => ({
    _id: id,
    title,
    titleTerms: searchTerms(title),
    filename: `${id}.mp4`,
    sha256: sha.repeat(64).slice(0, 64),
    size: 1,
    media: { container: 'mov', durationSec: 1, sizeBytes: 1 },
    originalBlobId: id,
    requestedTasks: ['subtitle'],
    tasks: { subtitle: { status: 'pending', attempts: 0 } },
    status: 'processing',
    createdAt: new Date(Date.now() + Number(sha.charCodeAt(0))).toISOString(),
    updatedAt: new Date().toISOString(),
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidp-search-'));
    server = await startFerretDb({ dir });
    client = new MongoClient(`mongodb://127.0.0.1:${server.port}/searchtest`);
    const db = client.db();
    // A video catalogued before search existed: init() gives it its words.
    const { titleTerms: _none, ...old } = video('old', 'Old Lighthouse Tour', 'c');
    await db.collection<Video>('videos').insertOne(old);
    catalog = new Catalog(db);
    await catalog.init();
    await catalog.insert(video('jfk', 'Inaugural address', 'a'));
    await catalog.insert(video('dog', 'My dog in the park', 'b'));
    const subtitle = {
      speech: true,
      text: 'And so, my fellow Americans, ask not what your country can do for you.',
    };
    await catalog.setTask(
      'jfk',
      'subtitle',
      { status: 'done', attempts: 1, result: subtitle },
      resultFacts('subtitle', subtitle),
    );
  });
  afterAll(async () => {
    await client?.close();
    await server?.process.stop();
    await rm(dir, { recursive: true, force: true });
  });

  // Each search asked of the database and of rows in memory (the read model's path): both must agree.
  const ids = async (q: string) => {
    const query = { q, sort: 'newest', limit: 20, offset: 0 } as const;
    const fromDb = (await catalog.listRows(query)).items.map((v) => v._id).sort();
    const rows = (await catalog.allRows()).sort(compareRows('oldest'));
    expect(
      pageOfRows(rows, query)
        .items.map((v) => v._id)
        .sort(),
    ).toEqual(fromDb);
    return fromDb;
  };

  it('finds a word said in the video, a word of the title, and a prefix of the last word', async () => {
    expect(await ids('country')).toEqual(['jfk']);
    expect(await ids('Americans')).toEqual(['jfk']);
    expect(await ids('park')).toEqual(['dog']);
    expect(await ids('lighthouse')).toEqual(['old']);
    expect(await ids('coun')).toEqual(['jfk']);
    expect(await ids('my')).toEqual(['dog', 'jfk']);
  });

  it('needs every word (title and transcript together count), and combines with the other filters', async () => {
    expect(await ids('inaugural country')).toEqual(['jfk']);
    expect(await ids('dog country')).toEqual([]);
    const r = await catalog.listRows({ q: 'my', status: 'completed', sort: 'newest', limit: 20, offset: 0 });
    expect(r.total).toBe(0);
  });

  it('treats regular-expression characters as text', async () => {
    expect(await ids('.*')).toEqual([]);
    expect(await ids('(')).toEqual([]);
    expect(await ids('coun.*')).toEqual(['jfk']);
  });

  it('gives every video catalogued before search its words, in rounds of a batch each', async () => {
    const archived = Array.from({ length: 45 }, (_, i) => {
      const { titleTerms: _t, ...v } = video(`archive-${i}`, `Archive reel ${i}`, 'd');
      return { ...v, sha256: i.toString(16).padStart(64, '0') };
    });
    await catalog.videos.insertMany(archived);
    expect(await backfillSearchTerms(catalog.videos, 20)).toBe(45);
    expect(await catalog.videos.countDocuments({ titleTerms: { $exists: false } })).toBe(0);
    const found = await catalog.listRows({ q: 'archive reel 32', sort: 'newest', limit: 20, offset: 0 });
    expect(found.items.map((v) => v._id)).toEqual(['archive-32']);
    expect(await backfillSearchTerms(catalog.videos, 20)).toBe(0);
    await catalog.videos.deleteMany({ _id: { $in: archived.map((v) => v._id) } });
  });

  it('is served by indexes on both word lists', async () => {
    const names = (await catalog.videos.listIndexes().toArray()).map((i) => Object.keys(i.key).join(','));
    expect(names).toEqual(expect.arrayContaining(['titleTerms', 'transcriptTerms']));
  });
});
