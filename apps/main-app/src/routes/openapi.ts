import { TASKS } from '@vidp/contracts';
import express, { type Router } from 'express';
import { z } from 'zod';
import { listQuerySchema, uploadFieldsSchema } from './schemas.js';

const problem = { $ref: '#/components/responses/Problem' };

function queryParameters(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, unknown> };
  return Object.entries(json.properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: s,
  }));
}

/** The OpenAPI document, built from the same zod schemas that validate requests. */
export function openApiDocument() {
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const secured = [{ apiKey: [] }];
  return {
    openapi: '3.1.0',
    info: {
      title: 'VidP API',
      version: '0.1.0',
      description:
        'Upload videos; VidP detects the spoken language, writes subtitles, finds animals and makes renditions.',
    },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      responses: {
        Problem: {
          description: 'An error (RFC 9457 problem details)',
          content: {
            'application/problem+json': {
              schema: {
                type: 'object',
                properties: {
                  title: { type: 'string' },
                  status: { type: 'integer' },
                  detail: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
    security: secured,
    paths: {
      '/api/videos': {
        post: {
          summary: 'Upload a video (multipart/form-data, streamed)',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
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
          responses: {
            '201': { description: 'Stored; processing started' },
            '200': { description: 'A byte-identical video already exists: it is returned' },
            '400': problem,
            '401': problem,
            '413': problem,
            '415': problem,
          },
        },
        get: {
          summary: 'List videos',
          parameters: queryParameters(listQuerySchema),
          responses: { '200': { description: 'A page of videos' }, '400': problem, '401': problem },
        },
      },
      '/api/videos/{id}': {
        get: {
          summary: 'A video, its tasks and their results',
          parameters: [idParam],
          responses: { '200': { description: 'The video' }, '404': problem },
        },
        delete: {
          summary: 'Delete a video and every stored file',
          parameters: [idParam],
          responses: { '204': { description: 'Deleted' }, '404': problem },
        },
      },
      '/api/videos/{id}/cancel': {
        post: {
          summary: 'Cancel processing',
          parameters: [idParam],
          responses: { '200': { description: 'Cancelled' }, '409': problem },
        },
      },
      '/api/videos/{id}/events': {
        get: {
          summary: 'Live progress (Server-Sent Events)',
          parameters: [idParam],
          responses: { '200': { description: 'text/event-stream' } },
        },
      },
      '/api/videos/{id}/original': {
        get: {
          summary: 'The original file (HTTP ranges supported)',
          parameters: [idParam],
          responses: {
            '200': { description: 'The file' },
            '206': { description: 'A byte range' },
            '416': problem,
          },
        },
      },
      '/api/videos/{id}/outputs/{task}/{name}': {
        get: {
          summary: 'An output file (rendition, poster, subtitles, best frame); ranges supported',
          parameters: [
            idParam,
            { name: 'task', in: 'path', required: true, schema: { type: 'string', enum: [...TASKS] } },
            { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'The file' },
            '206': { description: 'A byte range' },
            '404': problem,
          },
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
