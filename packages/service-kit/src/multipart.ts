import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { badRequest, HttpError, payloadTooLarge, unsupportedMedia } from './errors.js';
import { createTempDir } from './temp-dir.js';

export interface ReceivedFile {
  field: string;
  /** The client's file name reduced to a safe base name; informative only, never a path. */
  filename: string;
  /** The file name exactly as the client sent it (for validation; never use it as a path). */
  clientFilename: string;
  /** Where the bytes are on disk, inside this request's temp folder. */
  path: string;
  size: number;
  sha256: string;
  clientMimeType: string;
}

export interface MultipartUpload {
  fields: Record<string, string>;
  files: ReceivedFile[];
  /** Removes the temp folder and everything in it. Always call it (see `withMultipart`). */
  cleanup(): Promise<void>;
}

export interface MultipartOptions {
  maxFileBytes: number;
  maxFiles?: number;
  maxFields?: number;
  maxFieldBytes?: number;
  tmpParent?: string;
}

/** Keeps only a harmless base name: no folders, no control characters, bounded length. */
export function safeFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .replace(/^\.+/, '')
    .trim();
  return cleaned.slice(0, 200) || 'upload';
}

/**
 * Whether a client's file name is a plain name. A name that tries to be a path (folders,
 * `..`, only dots, a NUL) is refused rather than quietly reduced: the client meant
 * something else, and says so to nobody if we guess.
 */
export function isPlainFilename(name: string): boolean {
  return !(/[\\/]/.test(name) || name.includes('..') || name.includes('\0') || /^\.*$/.test(name));
}

function hashingCounter(onBytes: (n: number) => void) {
  const hash = createHash('sha256');
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

/**
 * Streams a multipart request to a private temp folder: nothing is held in memory,
 * each file is hashed on the way, and a file over the limit fails with 413 after
 * which the folder is already gone.
 */
export async function receiveMultipart(req: Request, opts: MultipartOptions): Promise<MultipartUpload> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw unsupportedMedia('Send the upload as multipart/form-data.');
  }
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      // Keep the client's name whole: callers may refuse a path; `filename` is always reduced.
      preservePath: true,
      limits: {
        fileSize: opts.maxFileBytes,
        files: opts.maxFiles ?? 1,
        fields: opts.maxFields ?? 20,
        fieldSize: opts.maxFieldBytes ?? 64 * 1024,
        parts: (opts.maxFiles ?? 1) + (opts.maxFields ?? 20),
      },
    });
  } catch (err) {
    throw badRequest(`Malformed multipart request: ${(err as Error).message}`);
  }

  const dir = await createTempDir('upload', opts.tmpParent);
  const fields: Record<string, string> = {};
  const files: ReceivedFile[] = [];
  let fileCount = 0;
  const writes: Promise<void>[] = [];
  const active = new Set<NodeJS.ReadableStream & { destroy(err?: Error): void }>();
  let failure: HttpError | undefined;
  const fail = (err: HttpError) => {
    failure ??= err;
    req.unpipe(bb);
    for (const s of active) s.destroy(err);
    // Discard the rest of the body so the connection ends cleanly with our answer.
    req.resume();
  };

  bb.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(payloadTooLarge(`Field "${name}" is too long.`));
    else fields[name] = value;
  });
  bb.on('file', (field, stream, info) => {
    // A file not kept is drained; busboy destroys it with an error if the body breaks off.
    const discard = () => {
      stream.on('error', () => undefined);
      stream.resume();
    };
    if (failure) {
      discard();
      return;
    }
    if (info.filename !== undefined && info.filename !== '' && !isPlainFilename(info.filename)) {
      discard();
      fail(badRequest('The file name must be a plain name, not a path.'));
      return;
    }
    active.add(stream);
    stream.on('close', () => active.delete(stream));
    const index = fileCount++;
    const path = join(dir.path, `part-${index}`);
    let size = 0;
    const counter = hashingCounter((n) => {
      size += n;
    });
    stream.on('limit', () =>
      fail(payloadTooLarge(`The file is larger than the ${opts.maxFileBytes} bytes this service accepts.`)),
    );
    const write = pipeline(stream, counter.stream, createWriteStream(path)).then(() => {
      files[index] = {
        field,
        filename: safeFilename(info.filename),
        clientFilename: info.filename ?? '',
        path,
        size,
        sha256: counter.digest(),
        clientMimeType: info.mimeType,
      };
    });
    // Awaited below; marked handled now so a failed write can never crash the process.
    write.catch(() => undefined);
    writes.push(write);
  });
  bb.on('filesLimit', () => fail(badRequest('Too many files in one request.')));
  bb.on('fieldsLimit', () => fail(badRequest('Too many fields in one request.')));
  bb.on('partsLimit', () => fail(badRequest('Too many parts in one request.')));

  try {
    await new Promise<void>((resolve, reject) => {
      bb.on('close', resolve);
      bb.on('error', (err: Error) => reject(badRequest(`Malformed multipart body: ${err.message}`)));
      req.on('close', () => {
        if (!req.complete) reject(badRequest('The client closed the upload before it ended.'));
      });
      req.on('error', reject);
      // A failure unpipes busboy, which then never closes: settle once the request is consumed.
      req.on('end', () => {
        if (failure) resolve();
      });
      req.pipe(bb);
    });
    await Promise.all(writes);
    if (failure) throw failure;
  } catch (err) {
    // Streams cut off mid-file (client gone, malformed body) never end by themselves.
    for (const s of active) s.destroy();
    bb.destroy();
    await Promise.allSettled(writes);
    await dir.remove();
    const cause = failure ?? err;
    throw cause instanceof HttpError ? cause : badRequest(`Upload failed: ${(cause as Error).message}`);
  }
  return { fields, files: files.filter(Boolean), cleanup: dir.remove };
}

/** Receives a multipart upload, runs `work`, and always removes the temp files. */
export async function withMultipart<T>(
  req: Request,
  opts: MultipartOptions,
  work: (upload: MultipartUpload) => Promise<T>,
): Promise<T> {
  const upload = await receiveMultipart(req, opts);
  try {
    return await work(upload);
  } finally {
    await upload.cleanup();
  }
}
