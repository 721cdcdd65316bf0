import { STATUS_CODES } from 'node:http';
import { TASKS, TOPICS } from '@vidp/contracts';
import express, { type Router } from 'express';
import { z } from 'zod';
import { listQuerySchema, uploadFieldsSchema } from './schemas.js';
import { problemSchema, uploadAnswerSchema, videoDetailSchema, videoPageSchema } from './view-schemas.js';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });

/** Why each error status happens, said once for every operation that can answer it. */
const ERROR_WHY: Record<number, string> = {
  400: 'The request is malformed or a value is out of range (`detail` says which)',
  401: 'No X-API-Key header, or a key that is not valid',
  404: 'No such video, task output or upload',
  409: 'The state does not allow it (already ended; another request holds the upload; offset mismatch)',
  410: 'The upload expired',
  412: 'Tus-Resumable is missing or not 1.0.0',
  413: 'The file is larger than this service accepts',
  415: 'Not multipart, not media, a playlist or script in disguise, a truncated file, or a wrong Content-Type',
  416: 'The range is outside the file',
  422: 'Media beyond the limits: it claims to last longer, or its picture is larger, than VidP takes',
  503: 'The catalog or the sidecar is unreachable for now; try again',
};

const problem = (status: number) => ({
  description: ERROR_WHY[status] ?? STATUS_CODES[status] ?? 'Error',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

type Responses = Record<string, unknown>;
/** The given successes, then every listed error as a problem+json answer. */
const answers = (ok: Responses, ...errors: number[]): Responses => ({
  ...ok,
  ...Object.fromEntries(errors.map((s) => [String(s), problem(s)])),
});
const jsonBody = (ref: string, description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const fileBody = (description: string) => ({
  description,
  content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
});

function queryParameters(schema: z.ZodObject) {
  const s = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, unknown> };
  return Object.entries(s.properties).map(([name, p]) => ({ name, in: 'query', required: false, schema: p }));
}

const header = (name: string, schema: unknown, required = true, description?: string) => ({
  name,
  in: 'header',
  required,
  schema,
  ...(description ? { description } : {}),
});
const tusResumable = header(
  'Tus-Resumable',
  { type: 'string', enum: ['1.0.0'] },
  true,
  'tus protocol version',
);
const byteCount = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
/** tus metadata: comma-separated `key` or `key base64value` pairs (keys ASCII, no space or comma). */
const TUS_METADATA =
  '^[!-+\\--~]+( ([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)?(,[!-+\\--~]+( ([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)?)*$';
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const uploadIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
/** Every keyed read touches the catalog: no key, no such thing, or the catalog is down. */
const KEYED = [401, 404, 503];
const noKey: unknown[] = [];

/** OpenAPI links from an answer naming a video to what can be done with it (a test client follows them). */
const linksToVideo = (id: string) =>
  Object.fromEntries(
    ['getVideo', 'videoEvents', 'getOriginal', 'cancelVideo', 'deleteVideo'].map((operationId) => [
      operationId,
      { operationId, parameters: { id } },
    ]),
  );

/**
 * The OpenAPI document, built from the same zod schemas that validate requests and type
 * the answers. It is also the route table: `methodGuard` answers 405 for any method a path
 * here does not list.
 */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'VidP API',
      version: '0.2.0',
      description:
        'Upload videos; VidP detects the spoken language, writes subtitles, finds animals and makes renditions. A method a path does not list answers 405 with Allow.',
    },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: {
        Problem: json(problemSchema),
        Video: json(videoDetailSchema),
        VideoPage: json(videoPageSchema),
        UploadAnswer: json(uploadAnswerSchema),
        VideoEvent: {
          description: 'One Server-Sent Event; `data` is JSON (a `snapshot` is the whole video)',
          type: 'object',
          required: ['event', 'data'],
          properties: {
            event: { type: 'string', enum: ['snapshot', ...Object.values(TOPICS)] },
            data: { type: 'string', contentMediaType: 'application/json' },
            id: { type: 'string' },
          },
          if: { properties: { event: { const: 'snapshot' } } },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
          then: {
            properties: {
              data: {
                contentMediaType: 'application/json',
                contentSchema: { $ref: '#/components/schemas/Video' },
              },
            },
          },
        },
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/api/openapi.json': {
        get: {
          operationId: 'openApi',
          summary: 'This document',
          security: noKey,
          responses: { '200': { description: 'The OpenAPI document', content: { 'application/json': {} } } },
        },
      },
      '/api/videos': {
        post: {
          operationId: 'uploadVideo',
          summary: 'Upload a video (multipart/form-data, streamed)',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  // Any other field is refused: a misspelt option is a 400, not silently ignored.
                  additionalProperties: false,
                  properties: {
                    file: { type: 'string', format: 'binary' },
                    ...(z.toJSONSchema(uploadFieldsSchema) as { properties: object }).properties,
                  },
                },
                encoding: {
                  tasks: { description: `Comma-separated subset of: ${TASKS.join(', ')} (default: all)` },
                },
              },
            },
          },
          responses: answers(
            {
              '201': {
                ...jsonBody('UploadAnswer', 'Stored; processing started', {
                  Location: { schema: { type: 'string' } },
                }),
                links: linksToVideo('$response.body#/video/id'),
              },
              '200': jsonBody('UploadAnswer', 'A byte-identical video already exists: it is returned'),
            },
            400,
            401,
            413,
            415,
            422,
            503,
          ),
        },
        get: {
          summary: 'List videos (summaries: the whole of each is at its `links.self`)',
          operationId: 'listVideos',
          parameters: queryParameters(listQuerySchema),
          responses: answers(
            {
              '200': {
                ...jsonBody('VideoPage', 'A page of videos'),
                links: linksToVideo('$response.body#/items/0/id'),
              },
              '304': { description: 'Not modified since the ETag given in If-None-Match' },
            },
            400,
            401,
            503,
          ),
        },
      },
      '/api/videos/{id}': {
        get: {
          summary: 'A video, its tasks and their results',
          operationId: 'getVideo',
          parameters: [idParam],
          responses: answers(
            {
              '200': {
                ...jsonBody('Video', 'The video'),
                links: {
                  poster: {
                    operationId: 'getOutput',
                    parameters: {
                      id: '$request.path.id',
                      task: 'downscale',
                      name: '$response.body#/tasks/downscale/outputs/0/name',
                    },
                  },
                },
              },
            },
            ...KEYED,
          ),
        },
        delete: {
          summary: 'Delete a video and every stored file',
          operationId: 'deleteVideo',
          parameters: [idParam],
          responses: answers({ '204': { description: 'Deleted' } }, ...KEYED),
        },
      },
      '/api/videos/{id}/cancel': {
        post: {
          summary: 'Cancel processing',
          operationId: 'cancelVideo',
          parameters: [idParam],
          responses: answers({ '200': jsonBody('Video', 'Cancelled') }, 401, 404, 409, 503),
        },
      },
      '/api/videos/{id}/events': {
        get: {
          summary: 'Live progress (Server-Sent Events); ends once the video has ended',
          operationId: 'videoEvents',
          parameters: [idParam],
          responses: answers(
            {
              '200': {
                description: '`snapshot`, then task and video events, then a final `snapshot`',
                content: { 'text/event-stream': { schema: { $ref: '#/components/schemas/VideoEvent' } } },
              },
            },
            ...KEYED,
          ),
        },
      },
      '/api/videos/{id}/original': {
        get: {
          summary: 'The original file (HTTP ranges supported)',
          operationId: 'getOriginal',
          parameters: [idParam],
          responses: answers(
            { '200': fileBody('The file'), '206': fileBody('A byte range') },
            401,
            404,
            416,
            503,
          ),
        },
      },
      '/api/videos/{id}/outputs/{task}/{name}': {
        get: {
          summary: 'An output file (rendition, poster, storyboard, subtitles, best frame); ranges supported',
          operationId: 'getOutput',
          parameters: [
            idParam,
            { name: 'task', in: 'path', required: true, schema: { type: 'string', enum: [...TASKS] } },
            { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: answers(
            { '200': fileBody('The file'), '206': fileBody('A byte range') },
            401,
            404,
            416,
            503,
          ),
        },
      },
      '/api/uploads': {
        post: {
          summary: 'Start a resumable upload (tus 1.0 creation, optionally with the first bytes)',
          operationId: 'createUpload',
          parameters: [
            tusResumable,
            header('Upload-Length', byteCount, true, 'Size of the whole file in bytes'),
            header(
              'Upload-Metadata',
              { type: 'string', pattern: TUS_METADATA },
              false,
              'tus metadata: `filename`, `title`, `language`, `tasks`, each base64',
            ),
          ],
          requestBody: {
            required: false,
            content: { 'application/offset+octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          responses: answers(
            {
              '201': {
                description: 'Created; send the bytes to Location',
                headers: { Location: { schema: { type: 'string' } } },
              },
              '200': jsonBody('UploadAnswer', 'The whole file came with the creation: the video'),
            },
            400,
            401,
            412,
            413,
            415,
            422,
            503,
          ),
        },
        options: {
          summary: "The server's tus capabilities (Tus-Version, Tus-Extension, Tus-Max-Size)",
          operationId: 'uploadCapabilities',
          security: noKey,
          responses: { '204': { description: 'Capabilities in the headers' } },
        },
      },
      '/api/uploads/{id}': {
        head: {
          summary: 'How many bytes of the upload arrived (Upload-Offset)',
          operationId: 'uploadOffset',
          parameters: [uploadIdParam, tusResumable],
          responses: answers(
            { '200': { description: 'Upload-Offset and Upload-Length in the headers' } },
            400,
            401,
            404,
            410,
            412,
          ),
        },
        patch: {
          summary: 'Send bytes from Upload-Offset on; the last ones answer the video',
          operationId: 'uploadChunk',
          parameters: [
            uploadIdParam,
            tusResumable,
            header('Upload-Offset', byteCount, true, 'Where these bytes go'),
          ],
          requestBody: {
            required: true,
            content: { 'application/offset+octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          responses: answers(
            {
              '204': { description: 'Stored; Upload-Offset says how far' },
              '200': jsonBody('UploadAnswer', 'That was the last byte: the video', {
                'Vidp-Video-Id': { schema: { type: 'string' } },
              }),
            },
            400,
            401,
            404,
            409,
            410,
            412,
            413,
            415,
            422,
            503,
          ),
        },
        delete: {
          summary: 'Abandon an unfinished upload (its bytes are removed)',
          operationId: 'abandonUpload',
          parameters: [uploadIdParam, tusResumable],
          responses: answers({ '204': { description: 'Removed' } }, 400, 401, 404, 410, 412),
        },
        options: {
          summary: "The server's tus capabilities",
          operationId: 'uploadCapabilitiesAt',
          security: noKey,
          parameters: [uploadIdParam],
          responses: { '204': { description: 'Capabilities in the headers' } },
        },
      },
    },
  };
}

export function openApiRoutes(): Router {
  const doc = openApiDocument();
  return express.Router().get('/api/openapi.json', (_req, res) => {
    res.json(doc);
  });
}
