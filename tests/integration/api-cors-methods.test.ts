import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Stack, startStack, TEST_API_KEY, waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../apps/main-app/src/routes/openapi.js';
import { rawRequest } from '../support/http.js';
import { makeVideo } from '../support/media.js';

const ALLOWED = 'http://localhost:3000';
const FOREIGN = 'https://evil.example';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];
const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
const documented = (path: string) => Object.keys(paths[path] ?? {}).map((m) => m.toUpperCase());

/**
 * One CORS policy for every route, tus uploads included, and one route table: every path
 * of the OpenAPI document, with every method, from an allowed and from a foreign origin.
 */
describe('main-app: CORS and methods on every route', () => {
  let stack: Stack;
  let api: string;
  let fill: (template: string) => string;

  beforeAll(async () => {
    stack = await startStack({
      mongo: true,
      apps: [
        {
          app: 'main-app',
          appId: 'main-app',
          // API only: the stored video stays as it is while every route is called.
          env: { CORS_ORIGINS: ALLOWED, MAIN_APP_ROLE: 'api', MAX_UPLOAD_BYTES: String(1024 * 1024) },
        },
      ],
    });
    api = stack.get('main-app').app.url;
    await waitUntil('main-app ready', async () => (await fetch(`${api}/ready`)).status === 200, 60_000, 200);
    const dir = join(stack.dir, 'media');
    await mkdir(dir);
    const form = new FormData();
    form.append('file', new File([await readFile(makeVideo(dir, 'a.mp4', { seconds: 1 }))], 'a.mp4'));
    const stored = await fetch(`${api}/api/videos`, {
      method: 'POST',
      body: form,
      headers: { 'x-api-key': TEST_API_KEY },
    });
    expect(stored.status, await stored.clone().text()).toBe(201);
    const video = (await stored.json()) as { video: { id: string } };
    const created = await fetch(`${api}/api/uploads`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_API_KEY, 'tus-resumable': '1.0.0', 'upload-length': '100' },
    });
    expect(created.status).toBe(201);
    const uploadId = created.headers.get('location')?.split('/').pop() ?? '';
    fill = (template) =>
      template
        .replace('/api/uploads/{id}', `/api/uploads/${uploadId}`)
        .replace('{id}', video.video.id)
        .replace('{task}', 'downscale')
        .replace('{name}', 'poster');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Every documented path with every method, plus paths no route has. */
  const calls = () => [
    ...Object.keys(paths).flatMap((p) => METHODS.map((method) => ({ method, path: fill(p) }))),
    { method: 'GET', path: '/api/nothing-here' },
    { method: 'GET', path: `${fill('/api/videos/{id}')}/nothing-here` },
  ];
  const send = (method: string, path: string, origin: string, extra: Record<string, string> = {}) =>
    rawRequest(`${api}${path}`, {
      method,
      headers: { origin, 'x-api-key': TEST_API_KEY, 'tus-resumable': '1.0.0', ...extra },
    });
  const corsHeaders = (res: { headers: Record<string, unknown> }) =>
    Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));

  // First: the sweeps below delete the video.
  it('ends a HEAD on the event stream at once instead of holding it open', async () => {
    const res = await fetch(`${api}${fill('/api/videos/{id}/events')}`, {
      method: 'HEAD',
      headers: { 'x-api-key': TEST_API_KEY },
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
  });

  it('gives a foreign origin no CORS header on any route, answer or preflight', async () => {
    for (const { method, path } of calls()) {
      const res = await send(method, path, FOREIGN);
      expect(corsHeaders(res), `${method} ${path} → ${res.status}`).toEqual([]);
      const preflight = await send('OPTIONS', path, FOREIGN, { 'access-control-request-method': method });
      expect(corsHeaders(preflight), `preflight ${method} ${path}`).toEqual([]);
    }
  }, 120_000);

  it('gives the allowed origin the same policy on every route, errors and tus included', async () => {
    for (const { method, path } of calls()) {
      const res = await send(method, path, ALLOWED);
      expect(res.headers['access-control-allow-origin'], `${method} ${path} → ${res.status}`).toBe(ALLOWED);
      expect(String(res.headers.vary ?? ''), `${method} ${path}`).toMatch(/origin/i);
    }
    const preflight = await send('OPTIONS', fill('/api/uploads/{id}'), ALLOWED, {
      'access-control-request-method': 'PATCH',
      'access-control-request-headers': 'x-api-key, tus-resumable, upload-offset, content-type',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(preflight.headers['access-control-allow-methods']).toContain('PATCH');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Upload-Offset/);
  }, 120_000);

  it('answers a method a path does not take with 405 and Allow, whoever asks', async () => {
    for (const template of Object.keys(paths)) {
      const allow = new Set([...documented(template), 'OPTIONS']);
      if (allow.has('GET')) allow.add('HEAD');
      for (const method of METHODS.filter((m) => !allow.has(m))) {
        for (const key of [TEST_API_KEY, '']) {
          const res = await rawRequest(`${api}${fill(template)}`, {
            method,
            headers: key ? { 'x-api-key': key } : {},
          });
          expect(res.status, `${method} ${template}`).toBe(405);
          expect(new Set(String(res.headers.allow).split(', ')), `${method} ${template}`).toEqual(allow);
          expect(res.headers['content-type']).toContain('application/problem+json');
          if (method !== 'HEAD')
            expect(JSON.parse(res.body.toString()).detail).toContain(`${method} is not allowed`);
        }
      }
    }
    // What the first review found: TRACE answered 404.
    expect((await rawRequest(`${api}/api/videos`, { method: 'TRACE' })).status).toBe(405);
  });

  it('answers OPTIONS with Allow where no route takes it, and tus its capabilities', async () => {
    const plain = await fetch(`${api}${fill('/api/videos/{id}')}`, { method: 'OPTIONS' });
    expect(plain.status).toBe(204);
    expect(plain.headers.get('allow')).toBe('GET, DELETE, HEAD, OPTIONS');
    const tus = await fetch(`${api}/api/uploads`, { method: 'OPTIONS' });
    expect(tus.status).toBe(204);
    expect(tus.headers.get('tus-version')).toBe('1.0.0');
    expect(tus.headers.get('tus-max-size')).toBe(String(1024 * 1024));
  });
});
