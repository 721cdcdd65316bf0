import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { StagedUpload } from './ingest.js';

/** Size and SHA-256 of a file already on disk (a finished resumable upload), streamed. */
export async function stageFile(path: string, filename: string): Promise<StagedUpload> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return { path, filename, size: (await stat(path)).size, sha256: hash.digest('hex') };
}
