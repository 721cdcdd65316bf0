import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { safeFilename } from '@vidp/service-kit';
import express, { type Router } from 'express';
import { type IngestDeps, IngestError, ingest, parseTaskList } from '../domain/ingest.js';
import { stageFile } from '../domain/staged-file.js';
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
      if (meta.filename && /[\\/]|\.\./.test(meta.filename)) {
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
        if (err instanceof IngestError) throw problem(err.status, 'Unsupported upload', err.message);
        throw err;
      } finally {
        // The bytes now live in GridFS (or were refused): the staging copy goes either way.
        await rm(path, { force: true });
        await rm(`${path}.json`, { force: true });
      }
    },
  });
  const handle: express.RequestHandler = (req, res) => {
    void tus.handle(req, res);
  };
  return express.Router().all('/api/uploads', handle).all('/api/uploads/*rest', handle);
}
