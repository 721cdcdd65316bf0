import { Readable } from 'node:stream';
import type { TaskName } from '@vidp/contracts';
import { HEADER_TASK_ID, HEADER_VIDEO_ID } from '@vidp/contracts';
import { invokeMultipart, type Sidecar } from '@vidp/service-kit';
import busboy from 'busboy';
import type { OutputRef } from '../domain/model.js';
import type { BlobOwner, BlobStore } from './blob-store.js';

/** Served types for the files processors make, by extension: players and browsers need them exact. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  mp4: 'video/mp4',
  m4a: 'audio/mp4',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  json: 'application/json',
};

export function outputContentType(filename: string, declared: string): string {
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  return TYPES_BY_EXTENSION[ext] ?? (declared || 'application/octet-stream');
}

/** A processor answered with an error; 4xx means the input is wrong for it (no retry). */
export class ProcessorError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

export interface ProcessorCall {
  task: TaskName;
  method: string;
  videoId: string;
  taskId: string;
  original: { blobId: string; filename: string; contentType: string; size: number };
  fields: Record<string, string>;
  owner: BlobOwner;
  signal: AbortSignal;
}

export interface ProcessorAnswer {
  result: unknown;
  outputs: OutputRef[];
}

export interface ProcessorProbe {
  ok: boolean;
  /** It answered not-ready, or could not be reached: down, not merely slow to answer. */
  down: boolean;
  reason?: string;
}

/** A processor's `/ready` through Dapr: its sidecar, the app and its model all answer. */
export async function probeProcessor(
  sidecar: Sidecar,
  task: TaskName,
  timeoutMs = 1500,
): Promise<ProcessorProbe> {
  try {
    const res = await sidecar.fetch(`/v1.0/invoke/${task}/method/ready`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (res.ok) return { ok: true, down: false };
    let reason = text;
    try {
      const body = JSON.parse(text) as { reason?: string; message?: string };
      reason = body.reason ?? body.message ?? text;
    } catch {
      // not JSON
    }
    return { ok: false, down: true, reason: `answered ${res.status}: ${reason.slice(0, 300)}` };
  } catch (err) {
    // A busy processor (a long encode on a loaded machine) can be slow to answer: not down.
    if ((err as Error).name === 'TimeoutError')
      return { ok: false, down: false, reason: `no answer within ${timeoutMs} ms (busy?)` };
    return { ok: false, down: true, reason: `not reachable: ${(err as Error).message}` };
  }
}

const READY_CACHE_MS = 1000;

/**
 * Streams the original from the blob store to a processor through Dapr (chunked multipart,
 * never whole in memory) and stores the files it answers with as they arrive.
 */
export class ProcessorClient {
  private readonly readiness = new Map<TaskName, { at: number; ok: Promise<boolean> }>();

  constructor(
    private readonly sidecar: Sidecar,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * Whether the processor may take a task now: not known to be down (asked at most once a
   * second per processor). Slow to answer counts as up: the call itself will tell.
   */
  ready(task: TaskName): Promise<boolean> {
    const cached = this.readiness.get(task);
    if (cached && Date.now() - cached.at < READY_CACHE_MS) return cached.ok;
    const ok = probeProcessor(this.sidecar, task).then((r) => !r.down);
    this.readiness.set(task, { at: Date.now(), ok });
    return ok;
  }

  async call(c: ProcessorCall): Promise<ProcessorAnswer> {
    const res = await invokeMultipart(
      this.sidecar,
      c.task,
      c.method,
      [
        ...Object.entries(c.fields).map(([name, value]) => ({ name, value })),
        {
          name: 'file',
          filename: c.original.filename,
          contentType: c.original.contentType,
          size: c.original.size,
          open: () => this.blobs.read(c.original.blobId),
        },
      ],
      { signal: c.signal, headers: { [HEADER_VIDEO_ID]: c.videoId, [HEADER_TASK_ID]: c.taskId } },
    );
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let detail = text.slice(0, 500);
      try {
        const body = JSON.parse(text) as { detail?: string; message?: string };
        detail = body.detail ?? body.message ?? detail;
      } catch {
        // not JSON
      }
      throw new ProcessorError(`${c.task} answered ${res.status}: ${detail}`, res.status);
    }
    if (type.startsWith('multipart/')) return this.readParts(res, type, c.owner);
    return { result: await res.json(), outputs: [] };
  }

  private async readParts(res: Response, contentType: string, owner: BlobOwner): Promise<ProcessorAnswer> {
    if (!res.body) throw new ProcessorError('empty multipart answer', 502);
    const outputs: OutputRef[] = [];
    const writes: Promise<void>[] = [];
    let result: unknown;
    const bb = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: 16 * 1024 * 1024 } });
    bb.on('field', (name, value) => {
      if (name === 'result') result = JSON.parse(value);
    });
    bb.on('file', (name, stream, info) => {
      const write = this.blobs
        .put(stream, {
          filename: info.filename ?? name,
          contentType: outputContentType(info.filename ?? name, info.mimeType),
          owner,
        })
        .then((blob) => {
          outputs.push({
            name,
            blobId: blob.id,
            filename: blob.filename,
            contentType: blob.contentType,
            size: blob.size,
          });
        });
      write.catch(() => undefined);
      writes.push(write);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        bb.on('close', resolve);
        bb.on('error', reject);
        const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
        body.on('error', (err) => {
          bb.destroy(err);
          reject(err);
        });
        body.pipe(bb);
      });
    } finally {
      // Never return (or fail) with a write still running: the caller cleans up after us.
      await Promise.allSettled(writes);
    }
    await Promise.all(writes);
    if (result === undefined) throw new ProcessorError('the answer had no "result" part', 502);
    return { result, outputs };
  }
}
