import { Readable } from 'node:stream';
import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoServers } from '../../../tests/support/mongo-servers.js';
import type { BlobStore } from '../src/adapters/blob-store.js';
import { GridFsBlobStore } from '../src/adapters/gridfs-store.js';

const read = async (s: Readable) => Buffer.concat(await s.toArray());

/**
 * The BlobStore contract, run on every server that runs here: FerretDB always, and a
 * real MongoDB too when TEST_MONGODB_URL points at one.
 */
const servers = mongoServers('blobtest');

describe.each(servers)('%s', (_name, start) => {
  let server: Awaited<ReturnType<typeof start>>;
  let client: MongoClient;
  let store: BlobStore;
  const data = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 7) % 251));

  beforeAll(async () => {
    server = await start();
    client = new MongoClient(server.url);
    const gridfs = new GridFsBlobStore(client.db());
    await gridfs.init();
    store = gridfs;
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('finds files by owner through an index', async () => {
    const keys = (await client.db().collection('media.files').listIndexes().toArray()).map((i) => i.key);
    expect(keys).toContainEqual({ 'metadata.videoId': 1, 'metadata.role': 1, 'metadata.attempt': 1 });
  });

  it('stores, describes, reads whole and by range, lists and deletes', async () => {
    const owner = { videoId: 'v1', role: 'original' };
    const blob = await store.put(Readable.from([data]), {
      filename: 'a.mp4',
      contentType: 'video/mp4',
      owner,
    });
    expect(blob.size).toBe(data.length);
    expect(await store.stat(blob.id)).toEqual(blob);
    expect((await read(store.read(blob.id))).equals(data)).toBe(true);
    // A range across a chunk boundary (chunks are 255 KiB).
    const part = await read(store.read(blob.id, { start: 261_000, end: 262_000 }));
    expect(part.equals(data.subarray(261_000, 262_001))).toBe(true);
    expect((await store.list({ videoId: 'v1' })).map((b) => b.id)).toEqual([blob.id]);
    await store.delete(blob.id);
    expect(await store.stat(blob.id)).toBeUndefined();
  });

  // FerretDB as published reads every row of the chunks for each GridFS read (and every row
  // of a collection for each _id lookup); VidP's provisioning patches it (README, FerretDB).
  it("reads a file's chunks, a range of them, chunks by key and a document by _id through indexes", async () => {
    const blob = await store.put(Readable.from([data]), {
      filename: 'indexed.bin',
      contentType: 'application/octet-stream',
      owner: { videoId: 'v9', role: 'original' },
    });
    try {
      const fileId = new ObjectId(blob.id);
      const chunks = client.db().collection('media.chunks');
      // The catalog's videos have string ids.
      const named = client.db().collection<{ _id: string }>('string-ids');
      await named.insertOne({ _id: 'a-string-id' });
      const plans = [
        await chunks
          .find({ files_id: { $eq: fileId } })
          .sort({ n: 1 })
          .explain(),
        await chunks
          .find({ files_id: { $eq: fileId }, n: { $gte: 1 } })
          .sort({ n: 1 })
          .explain(),
        await client.db().collection('media.files').find({ _id: fileId }).explain(),
        await named.find({ _id: 'a-string-id' }).explain(),
        // Chunks by their whole key, one or a batch, as the store reads a file.
        await chunks.find({ files_id: fileId, n: 1 }).explain(),
        await chunks
          .find({ files_id: fileId, n: { $in: [0, 1, 2] } })
          .sort({ n: 1 })
          .explain(),
      ].map((plan) => JSON.stringify(plan.queryPlanner));
      for (const plan of plans) expect(plan).toMatch(server.real ? /IXSCAN|IDHACK|EXPRESS/ : /USING INDEX/);
      // FerretDB: both fields of the key from the index, not files_id alone.
      if (!server.real) {
        expect(plans.at(-2)).toMatch(/<expr>=\? AND <expr>=\?/);
        expect(plans.at(-1)).toMatch(/<expr>=\? AND <expr>=\?/);
      }
      const range = await read(store.read(blob.id, { start: 300_000, end: 599_999 }));
      expect(range.equals(data.subarray(300_000, 600_000))).toBe(true);
    } finally {
      await store.delete(blob.id);
      await client
        .db()
        .collection('string-ids')
        .drop()
        .catch(() => undefined);
    }
  });

  it('reads a file of many chunks whole and across a batch boundary, an empty file, and fails on a missing one', async () => {
    // 40 chunks of 255 KiB and a bit: the store asks for 32 at a time.
    const big = Buffer.from(Array.from({ length: 40 * 261_120 + 17 }, (_, i) => (i * 13) % 253));
    const owner = { videoId: 'v10', role: 'original' };
    const blob = await store.put(Readable.from([big]), {
      filename: 'big.bin',
      contentType: 'video/mp4',
      owner,
    });
    const empty = await store.put(Readable.from([Buffer.alloc(0)]), {
      filename: 'empty.bin',
      contentType: 'video/mp4',
      owner,
    });
    try {
      expect((await read(store.read(blob.id))).equals(big)).toBe(true);
      const across = { start: 31 * 261_120 - 5, end: 33 * 261_120 + 5 };
      expect(
        (await read(store.read(blob.id, across))).equals(big.subarray(across.start, across.end + 1)),
      ).toBe(true);
      const lastByte = { start: big.length - 1, end: big.length - 1 };
      expect((await read(store.read(blob.id, lastByte))).equals(big.subarray(-1))).toBe(true);
      expect((await read(store.read(empty.id))).length).toBe(0);
      await expect(read(store.read('0123456789abcdef01234567'))).rejects.toThrow(/FileNotFound/);
    } finally {
      await store.deleteOwned({ videoId: 'v10' });
    }
  });

  it('deletes by owner, keeping the named attempt', async () => {
    const put = (role: string, attempt?: number) =>
      store.put(Readable.from([Buffer.from(role)]), {
        filename: `${role}.bin`,
        contentType: 'application/octet-stream',
        owner: { videoId: 'v2', role, ...(attempt !== undefined ? { attempt } : {}) },
      });
    await put('original');
    await put('downscale', 1);
    const keep = await put('downscale', 2);
    expect(
      await store.deleteOwned({ videoId: 'v2', role: 'downscale' }, { role: 'downscale', attempt: 2 }),
    ).toBe(1);
    expect((await store.list({ videoId: 'v2', role: 'downscale' })).map((b) => b.id)).toEqual([keep.id]);
    expect(await store.deleteOwned({ videoId: 'v2' })).toBe(2);
    expect(await store.list({ videoId: 'v2' })).toEqual([]);
  });

  it('leaves no partial file when the source fails mid-way', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(300_000));
        this.destroy(new Error('connection lost'));
      },
    });
    await expect(
      store.put(failing, {
        filename: 'x',
        contentType: 'video/mp4',
        owner: { videoId: 'v3', role: 'original' },
      }),
    ).rejects.toThrow(/connection lost/);
    expect(await store.list({ videoId: 'v3' })).toEqual([]);
    expect(await client.db().collection('media.chunks').countDocuments()).toBe(0);
  });

  it('leaves no chunk behind when the source fails while chunk writes are still in flight', async () => {
    // One 2 MB piece makes the upload send eight chunk inserts at once; the source dies right after.
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(2_000_000, 1));
        setImmediate(() => this.destroy(new Error('processor gone')));
      },
    });
    await expect(
      store.put(failing, {
        filename: 'y',
        contentType: 'video/mp4',
        owner: { videoId: 'v4', role: 'downscale', attempt: 1 },
      }),
    ).rejects.toThrow(/processor gone/);
    // Late inserts would land after the answer: look again a moment later.
    await new Promise((r) => setTimeout(r, 500));
    expect(await store.list({ videoId: 'v4' })).toEqual([]);
    expect(await client.db().collection('media.chunks').countDocuments()).toBe(0);
  });

  it('answers "not found" for ids that are not blobs', async () => {
    expect(await store.stat('not-an-id')).toBeUndefined();
    expect(await store.stat('0123456789abcdef01234567')).toBeUndefined();
    await store.delete('0123456789abcdef01234567');
  });
});
