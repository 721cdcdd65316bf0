import { pipeline } from 'node:stream/promises';
import { HttpError } from '@vidp/service-kit';
import type { Request, Response } from 'express';
import type { BlobInfo, BlobStore } from '../adapters/blob-store.js';

/** Streams a stored file, honouring one HTTP byte range so a <video> element can seek. */
export async function sendBlob(req: Request, res: Response, blobs: BlobStore, blob: BlobInfo): Promise<void> {
  res.setHeader('accept-ranges', 'bytes');
  res.setHeader('content-type', blob.contentType);
  res.setHeader('content-disposition', `inline; filename="${blob.filename.replace(/[^\w.\- ]/g, '_')}"`);
  res.setHeader('cache-control', 'private, max-age=3600');
  res.setHeader('etag', `"${blob.id}"`);
  let range: { start: number; end: number } | undefined;
  if (req.headers.range && blob.size > 0) {
    const parsed = req.range(blob.size, { combine: true });
    if (parsed === -1) {
      res.setHeader('content-range', `bytes */${blob.size}`);
      throw new HttpError(416, 'Range Not Satisfiable', `The file has ${blob.size} bytes.`);
    }
    if (parsed !== -2 && parsed && parsed.length === 1 && parsed.type === 'bytes') range = parsed[0];
  }
  if (range) {
    res.status(206);
    res.setHeader('content-range', `bytes ${range.start}-${range.end}/${blob.size}`);
    res.setHeader('content-length', String(range.end - range.start + 1));
  } else {
    res.setHeader('content-length', String(blob.size));
  }
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(blobs.read(blob.id, range), res).catch((err: Error & { code?: string }) => {
    // The viewer seeking elsewhere closes the connection: not an error.
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  });
}
