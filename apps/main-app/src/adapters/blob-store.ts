import type { Readable } from 'node:stream';

/** Who a stored file belongs to: deleting a video or an attempt deletes by these. */
export interface BlobOwner {
  videoId: string;
  /** 'original' for the upload, else the task that produced it. */
  role: string;
  /** Task attempt that wrote it; outputs of losing attempts are removed. */
  attempt?: number;
}

export interface BlobInfo {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  owner: BlobOwner;
}

/**
 * Where originals and outputs live. GridFS in every deployment (it works on a real MongoDB
 * and on FerretDB 1.24 here, see the contract tests); the interface keeps the rest of
 * main-app independent of it.
 */
export interface BlobStore {
  put(source: Readable, file: { filename: string; contentType: string; owner: BlobOwner }): Promise<BlobInfo>;
  stat(id: string): Promise<BlobInfo | undefined>;
  /** Bytes `start`..`end` inclusive, or the whole file. */
  read(id: string, range?: { start: number; end: number }): Readable;
  delete(id: string): Promise<void>;
  /** Removes every blob of a video (or of one role/attempt of it); returns how many. */
  deleteOwned(
    owner: Partial<BlobOwner> & { videoId: string },
    except?: { role: string; attempt: number },
  ): Promise<number>;
  list(owner: Partial<BlobOwner> & { videoId: string }): Promise<BlobInfo[]>;
}
