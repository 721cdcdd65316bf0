import { TASKS, type TaskName } from '@vidp/contracts';
import { badRequest, HttpError, httpError, notFound, withMultipart } from '@vidp/service-kit';
import express, { type Request, type Router } from 'express';
import type { BlobStore } from '../adapters/blob-store.js';
import type { Catalog } from '../adapters/catalog.js';
import type { CatalogReadModel } from '../adapters/catalog-read-model.js';
import type { EventHub } from '../domain/event-hub.js';
import { type IngestDeps, IngestError, ingest, parseTaskList } from '../domain/ingest.js';
import type { Video } from '../domain/model.js';
import { cancelVideo, deleteVideo, type StopDeps } from '../domain/stop-video.js';
import type { VideoRow } from '../domain/video-row.js';
import { ListAnswers } from './list-answers.js';
import { describeIssues, listQuerySchema, uploadFieldsSchema, videoIdSchema } from './schemas.js';
import { sendBlob } from './send-blob.js';
import { streamEvents } from './sse.js';
import { summaryView, videoView } from './video-view.js';

export interface VideoRoutesDeps extends IngestDeps, StopDeps {
  catalog: Catalog;
  /** Answers lists from memory when it can; the catalog's query otherwise. */
  readModel?: CatalogReadModel | undefined;
  blobs: BlobStore;
  hub: EventHub;
  maxUploadBytes: number;
  tmpDir?: string | undefined;
}

async function loadVideo(catalog: Catalog, req: Request): Promise<Video> {
  const id = videoIdSchema.safeParse(req.params.id);
  if (!id.success) throw notFound(`No video ${String(req.params.id).slice(0, 64)}.`);
  const video = await catalog.get(id.data);
  if (!video) throw notFound(`No video ${id.data}.`);
  return video;
}

export function videoRoutes(d: VideoRoutesDeps): Router {
  const r = express.Router();
  const answers = new ListAnswers();

  r.post('/api/videos', async (req, res) => {
    const answer = await withMultipart(
      req,
      { maxFileBytes: d.maxUploadBytes, maxFields: 5, ...(d.tmpDir ? { tmpParent: d.tmpDir } : {}) },
      async (upload) => {
        const fields = uploadFieldsSchema.safeParse(upload.fields);
        if (!fields.success) throw badRequest(describeIssues(fields.error));
        const file = upload.files.find((f) => f.field === 'file');
        if (!file) throw badRequest('Add the video as a multipart field named "file".');
        if (upload.files.some((f) => f.field !== 'file'))
          throw badRequest('Only one file, in the field "file".');
        try {
          const tasks = parseTaskList(fields.data.tasks);
          return await ingest(d, {
            file: { path: file.path, size: file.size, sha256: file.sha256, filename: file.filename },
            tasks,
            ...(fields.data.title ? { title: fields.data.title } : {}),
            ...(fields.data.language ? { language: fields.data.language } : {}),
          });
        } catch (err) {
          if (err instanceof IngestError) throw httpError(err.status, err.message);
          throw err;
        }
      },
    );
    const location = `/api/videos/${answer.video._id}`;
    res
      .status(answer.duplicate ? 200 : 201)
      .location(location)
      .json({ duplicate: answer.duplicate, video: videoView(answer.video) });
  });

  r.get('/api/videos', async (req, res) => {
    const q = listQuerySchema.safeParse(req.query);
    if (!q.success) throw badRequest(describeIssues(q.error));
    const query = q.data;
    const page = ({ items, total }: { items: VideoRow[]; total: number }) => ({
      items: items.map(summaryView),
      total,
      limit: query.limit,
      offset: query.offset,
    });
    const model = d.readModel;
    if (model?.canAnswer(query)) {
      const answer = answers.get(JSON.stringify(query), model.version, () =>
        page(model.list(query) ?? { items: [], total: 0 }),
      );
      // Express answers 304 itself when the client already has this ETag.
      res.set('etag', answer.etag).type('application/json').send(answer.body);
      return;
    }
    res.json(page(await d.catalog.listRows(query)));
  });

  r.get('/api/videos/:id', async (req, res) => {
    res.json(videoView(await loadVideo(d.catalog, req)));
  });

  r.post('/api/videos/:id/cancel', async (req, res) => {
    const video = await loadVideo(d.catalog, req);
    if (!(await cancelVideo(d, video))) {
      throw new HttpError(
        409,
        'Conflict',
        `The video is already ${video.status}; only a video still processing can be cancelled.`,
      );
    }
    res.json(videoView((await d.catalog.get(video._id)) ?? video));
  });

  r.delete('/api/videos/:id', async (req, res) => {
    await deleteVideo(d, await loadVideo(d.catalog, req));
    res.status(204).end();
  });

  r.get('/api/videos/:id/events', async (req, res) => {
    if (req.method === 'HEAD') {
      // A stream has no length to tell: answer the headers and end, rather than hold it open.
      await loadVideo(d.catalog, req);
      res.status(200).type('text/event-stream').end();
      return;
    }
    await streamEvents(req, res, d.hub, await loadVideo(d.catalog, req), () =>
      d.catalog.get(String(req.params.id)),
    );
  });

  r.get('/api/videos/:id/original', async (req, res) => {
    const video = await loadVideo(d.catalog, req);
    const blob = await d.blobs.stat(video.originalBlobId);
    if (!blob) throw notFound('The original file is no longer stored.');
    await sendBlob(req, res, d.blobs, blob);
  });

  r.get('/api/videos/:id/outputs/:task/:name', async (req, res) => {
    const video = await loadVideo(d.catalog, req);
    const task = req.params.task as TaskName;
    if (!(TASKS as readonly string[]).includes(task)) throw notFound(`No task ${req.params.task}.`);
    const output = video.tasks[task]?.outputs?.find((o) => o.name === req.params.name);
    if (!output) throw notFound(`No output "${req.params.name}" for ${task}.`);
    const blob = await d.blobs.stat(output.blobId);
    if (!blob) throw notFound('That output is no longer stored.');
    await sendBlob(req, res, d.blobs, blob);
  });

  return r;
}
