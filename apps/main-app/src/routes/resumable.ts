import { rm } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { isPlainFilename, safeFilename } from '@vidp/service-kit';
import express, { type Request, type Router } from 'express';
import { NodeRequest, sendNodeResponse } from 'srvx/node';
import { type IngestDeps, IngestError, ingest, parseTaskList } from '../domain/ingest.js';
import { stageFile } from '../domain/staged-file.js';
import { isCorsHeader } from './cors.js';
import { describeIssues, uploadFieldsSchema } from './schemas.js';
import { videoView } from './video-view.js';

export interface ResumableDeps extends IngestDeps {
  /** Where partial uploads wait for their next chunk (a volume shared by replicas, or sticky sessions). */
  directory: string;
  maxUploadBytes: number;
}

const problem = (status: number, title: string, detail: string) => ({
  status_code: status,
  body: JSON.stringify({ type: 'about:blank', title, status, detail }),
});

/**
 * Resumable uploads with the tus 1.0 protocol at /api/uploads: a client sends the file in
 * chunks and, after any interruption, asks for the offset and goes on from there. When
 * the last byte arrives the file goes through the same ingest as a plain upload; the
 * answer carries the video (`Vidp-Video-Id` header and a JSON body). Completing twice
 * (a retried last chunk, a re-sent file) yields the same video: ingest dedupes by SHA-256.
 */
export function resumableRoutes(d: ResumableDeps): Router {
  const tus = new Server({
    path: '/api/uploads',
    datastore: new FileStore({ directory: d.directory, expirationPeriodInMilliseconds: 24 * 3600 * 1000 }),
    maxSize: d.maxUploadBytes,
    relativeLocation: true,
    respectForwardedHeaders: true,
    exposedHeaders: ['Vidp-Video-Id'],
    // tus's own refusal of a too-big file is a bare "Maximum size exceeded": say what the limit is.
    onResponseError(_req, err) {
      if ('status_code' in err && err.status_code === 413 && !err.body.startsWith('{')) {
        const mb = Math.floor(d.maxUploadBytes / (1024 * 1024));
        return problem(
          413,
          'Payload Too Large',
          `The file is larger than the ${mb} MiB this server accepts.`,
        );
      }
      return undefined;
    },
    async onUploadCreate(_req, upload) {
      const meta = upload.metadata ?? {};
      const fields = uploadFieldsSchema.safeParse({
        ...(meta.title ? { title: meta.title } : {}),
        ...(meta.language ? { language: meta.language } : {}),
        ...(meta.tasks ? { tasks: meta.tasks } : {}),
      });
      // Refuse bad metadata before any byte is sent.
      if (!fields.success) throw problem(400, 'Bad Request', describeIssues(fields.error));
      try {
        parseTaskList(fields.data.tasks);
      } catch (err) {
        throw problem(400, 'Bad Request', (err as Error).message);
      }
      if (meta.filename && !isPlainFilename(meta.filename)) {
        throw problem(400, 'Bad Request', 'The file name must be a plain name, not a path.');
      }
      return {};
    },
    async onUploadFinish(_req, upload) {
      const path = join(d.directory, upload.id);
      const meta = upload.metadata ?? {};
      try {
        const staged = await stageFile(path, safeFilename(meta.filename ?? undefined));
        const { video, duplicate } = await ingest(d, {
          file: staged,
          tasks: parseTaskList(meta.tasks ?? undefined),
          ...(meta.title ? { title: meta.title } : {}),
          ...(meta.language ? { language: meta.language } : {}),
        });
        return {
          status_code: 200,
          headers: { 'Vidp-Video-Id': video._id, 'Content-Type': 'application/json' },
          body: JSON.stringify({ duplicate, video: videoView(video) }),
        };
      } catch (err) {
        if (err instanceof IngestError)
          throw problem(err.status, STATUS_CODES[err.status] ?? 'Error', err.message);
        throw err;
      } finally {
        // The bytes now live in GridFS (or were refused): the staging copy goes either way.
        await rm(path, { force: true });
        await rm(`${path}.json`, { force: true });
      }
    },
  });
  const handle: express.RequestHandler = async (req, res) => {
    const answer = await tus.handleWeb(new NodeRequest({ req, res }));
    await sendNodeResponse(res, await underOurPolicy(req, answer));
  };
  return express.Router().all('/api/uploads', handle).all('/api/uploads/*rest', handle);
}

/** tus-node's statuses that mean "your request is wrong", as the rest of the API says it. */
function statusOf(status: number, text: string): number {
  if (/content-type/i.test(text)) return 415; // tus-node answers 403 for a wrong Content-Type
  if (/lock/i.test(text)) return 409; // another request holds this upload
  if (status === 403 || status === 501) return 400; // a missing header, an unsupported extension
  return status;
}

/**
 * tus-node's answer, made to speak like the rest of the API: no CORS header of its own
 * (it writes `*`; the API's one policy has already set what applies), and errors as
 * problem+json with a status a client can act on, internals hidden on a 5xx.
 */
async function underOurPolicy(req: Request, answer: Response): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of answer.headers) if (!isCorsHeader(name)) headers.append(name, value);
  if (answer.status < 400) return new Response(answer.body, { status: answer.status, headers });
  let text = (await answer.text()).trim();
  let status = statusOf(answer.status, text);
  if (status === 412 && !req.get('tus-resumable')) {
    // A required header that is missing is a 400; 412 stays for a version tus 1.0 is not.
    status = 400;
    text = 'Send the header "Tus-Resumable: 1.0.0": this is a tus 1.0 endpoint.';
  }
  let body: Record<string, unknown> | undefined;
  if (status >= 500) {
    req.log?.error({ status: answer.status, tus: text }, 'resumable upload failed');
    body = { detail: 'The upload could not be handled; see the service logs.' };
  } else {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      if (parsed && typeof parsed === 'object' && typeof parsed.detail === 'string') body = parsed;
    } catch {
      // A plain-text answer from tus-node: its words become the detail.
    }
  }
  const title = STATUS_CODES[status] ?? 'Error';
  const problem = {
    type: 'about:blank',
    title,
    detail: text || title,
    ...body,
    status,
    instance: req.originalUrl,
  };
  headers.set('content-type', 'application/problem+json');
  headers.delete('content-length');
  return new Response(JSON.stringify(problem), { status, headers });
}
