import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type FileLike, FormDataEncoder, type FormDataLike } from 'form-data-encoder';

export interface FieldPart {
  name: string;
  value: string;
}

export interface FilePart {
  name: string;
  filename: string;
  contentType?: string;
  /** Only informative: the body is sent chunked, so an unknown size is fine. */
  size?: number;
  open(): AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
}

export type Part = FieldPart | FilePart;

/** A file part read from disk as it is sent. */
export async function filePart(
  name: string,
  path: string,
  contentType = 'application/octet-stream',
  filename = basename(path),
): Promise<FilePart> {
  const { size } = await stat(path);
  return {
    name,
    filename,
    contentType,
    size,
    open: () => createReadStream(path),
  };
}

// The encoder wants FormData-shaped input; the platform FormData only takes Blobs,
// while our files come from disk or from database streams.
class PartList implements FormDataLike {
  readonly [Symbol.toStringTag] = 'FormData';
  private readonly items: [string, string | FileLike][] = [];
  append(name: string, value: unknown): void {
    this.items.push([name, value as string | FileLike]);
  }
  getAll(name: string) {
    return this.items.filter(([n]) => n === name).map(([, v]) => v);
  }
  entries() {
    return this.items[Symbol.iterator]();
  }
  [Symbol.iterator]() {
    return this.entries();
  }
}

/** form-data-encoder re-slices chunks over this size itself. */
const ENCODER_MAX_CHUNK = 64 * 1024;

/**
 * Hands the encoder chunks of at most 64 KiB, as zero-copy views. form-data-encoder 4.1
 * splits larger chunks with `value.buffer.slice(offset, ...)`, ignoring the view's own
 * byteOffset: a chunk that is a view into a bigger buffer (a GridFS chunk inside a MongoDB
 * wire message, say) would be sent as the wrong bytes.
 */
async function* encoderSizedChunks(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>) {
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    for (let o = 0; o < chunk.byteLength; o += ENCODER_MAX_CHUNK) {
      yield chunk.subarray(o, Math.min(o + ENCODER_MAX_CHUNK, chunk.byteLength));
    }
  }
}

function asFileLike(part: FilePart): FileLike {
  return {
    [Symbol.toStringTag]: 'File',
    name: part.filename,
    type: part.contentType ?? 'application/octet-stream',
    size: part.size ?? 0,
    lastModified: 0,
    stream: () => encoderSizedChunks(part.open()),
  };
}

/** Encodes parts as a multipart/form-data stream: bytes are produced as they are sent. */
export function encodeMultipart(parts: Part[]): {
  contentType: string;
  body: AsyncIterable<Uint8Array>;
} {
  const list = new PartList();
  for (const part of parts) {
    list.append(part.name, 'value' in part ? part.value : asFileLike(part));
  }
  const encoder = new FormDataEncoder(list);
  return { contentType: encoder.contentType, body: encoder.encode() };
}
