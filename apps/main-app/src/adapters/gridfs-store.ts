import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type Collection,
  type Db,
  type Filter,
  GridFSBucket,
  type GridFSBucketWriteStream,
  type GridFSChunk,
  type GridFSFile,
  ObjectId,
} from 'mongodb';
import type { BlobInfo, BlobOwner, BlobStore } from './blob-store.js';
import { readChunks } from './gridfs-chunks.js';

interface BlobMetadata extends BlobOwner {
  contentType: string;
}

function toInfo(f: GridFSFile): BlobInfo {
  const m = f.metadata as BlobMetadata;
  return {
    id: f._id.toHexString(),
    filename: f.filename,
    contentType: m.contentType,
    size: f.length,
    owner: { videoId: m.videoId, role: m.role, ...(m.attempt !== undefined ? { attempt: m.attempt } : {}) },
  };
}

function objectId(id: string): ObjectId | undefined {
  return ObjectId.isValid(id) && id.length === 24 ? new ObjectId(id) : undefined;
}

/**
 * Resolves once an upload stream has no chunk insert in flight (the driver offers no event
 * for it, only this count), or after `maxMs` with whatever is still pending.
 */
async function insertsSettled(upload: GridFSBucketWriteStream, maxMs = 30_000): Promise<void> {
  const until = Date.now() + maxMs;
  // A failed insert is never counted down: the store is failing, there is nothing to wait for.
  while (upload.state.outstandingRequests > 0 && !upload.state.errored && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

export class GridFsBlobStore implements BlobStore {
  private readonly bucket: GridFSBucket;
  private readonly files: Collection<GridFSFile>;
  private readonly chunks: Collection<GridFSChunk>;

  constructor(db: Db, bucketName = 'media') {
    this.bucket = new GridFSBucket(db, { bucketName });
    this.files = db.collection<GridFSFile>(`${bucketName}.files`);
    this.chunks = db.collection<GridFSChunk>(`${bucketName}.chunks`);
  }

  /** The index behind `list` and `deleteOwned` (by owner), which every task start and end runs. */
  async init(): Promise<void> {
    await this.files.createIndex({ 'metadata.videoId': 1, 'metadata.role': 1, 'metadata.attempt': 1 });
  }

  async put(
    source: Readable,
    file: { filename: string; contentType: string; owner: BlobOwner },
  ): Promise<BlobInfo> {
    const metadata: BlobMetadata = { ...file.owner, contentType: file.contentType };
    const upload = this.bucket.openUploadStream(file.filename, { metadata });
    try {
      await pipeline(source, upload);
    } catch (err) {
      // A half-written file must not stay behind. The chunk inserts already sent still land
      // after the pipeline has failed, so wait for them before dropping the chunks.
      await insertsSettled(upload);
      await this.bucket.delete(upload.id).catch(() => undefined);
      throw err;
    }
    return {
      id: upload.id.toHexString(),
      filename: file.filename,
      contentType: file.contentType,
      size: upload.length,
      owner: file.owner,
    };
  }

  async stat(id: string): Promise<BlobInfo | undefined> {
    const _id = objectId(id);
    if (!_id) return undefined;
    const [f] = await this.bucket.find({ _id }).limit(1).toArray();
    return f ? toInfo(f) : undefined;
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    const _id = objectId(id);
    if (!_id) throw new Error(`not a blob id: ${id}`);
    return readChunks(this.files, this.chunks, _id, range);
  }

  async delete(id: string): Promise<void> {
    const _id = objectId(id);
    if (!_id) return;
    await this.bucket.delete(_id).catch((err: Error) => {
      if (!/not found/i.test(err.message)) throw err;
    });
  }

  private filter(owner: Partial<BlobOwner> & { videoId: string }): Filter<GridFSFile> {
    const f: Record<string, unknown> = { 'metadata.videoId': owner.videoId };
    if (owner.role) f['metadata.role'] = owner.role;
    if (owner.attempt !== undefined) f['metadata.attempt'] = owner.attempt;
    return f as Filter<GridFSFile>;
  }

  async list(owner: Partial<BlobOwner> & { videoId: string }): Promise<BlobInfo[]> {
    return (await this.bucket.find(this.filter(owner)).toArray()).map(toInfo);
  }

  async deleteOwned(
    owner: Partial<BlobOwner> & { videoId: string },
    except?: { role: string; attempt: number },
  ): Promise<number> {
    let n = 0;
    for (const f of await this.list(owner)) {
      if (except && f.owner.role === except.role && f.owner.attempt === except.attempt) continue;
      await this.delete(f.id);
      n++;
    }
    return n;
  }
}

export function gridFsStore(db: Db): GridFsBlobStore {
  return new GridFsBlobStore(db);
}
