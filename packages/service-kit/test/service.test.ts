import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { baseConfigSchema, ConfigError, loadConfig } from '../src/config.js';
import { badRequest } from '../src/errors.js';
import { REDACTED_PATHS } from '../src/logger.js';
import { buildService } from '../src/service.js';
import { listen, testConfig } from './helpers.js';

describe('configuration', () => {
  it('lists every invalid setting at start', () => {
    expect(() =>
      loadConfig(baseConfigSchema, { SERVICE_NAME: '', PORT: 'eighty', LOG_LEVEL: 'loud' }),
    ).toThrow(ConfigError);
    try {
      loadConfig(baseConfigSchema, { SERVICE_NAME: '', PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain('SERVICE_NAME');
      expect(msg).toContain('PORT');
      expect(msg).toContain('LOG_LEVEL');
    }
  });

  it('applies defaults', () => {
    const c = loadConfig(baseConfigSchema, { SERVICE_NAME: 'x', PORT: '8000' });
    expect(c.DAPR_HTTP_PORT).toBe(3500);
    expect(c.MAX_UPLOAD_BYTES).toBe(500 * 1024 * 1024);
  });
});

describe('the shared Express app', () => {
  const start = () =>
    listen(
      buildService({
        config: testConfig(),
        readiness: [{ name: 'database', check: async () => ({ ok: false, reason: 'connection refused' }) }],
        routes(app) {
          app.get('/boom', () => {
            throw new Error('secret internals');
          });
          app.get('/bad', () => {
            throw badRequest('duration must be a number of seconds', { field: 'duration' });
          });
          app.get('/slow', async (_req, res) => {
            await new Promise((r) => setTimeout(r, 300));
            res.json({ done: true });
          });
        },
      }).app,
    );

  it('answers problem+json for errors, hiding internals on 5xx', async () => {
    const s = await start();
    const bad = await fetch(`${s.url}/bad`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(await bad.json()).toMatchObject({
      status: 400,
      detail: 'duration must be a number of seconds',
      field: 'duration',
    });
    const boom = await fetch(`${s.url}/boom`);
    expect(boom.status).toBe(500);
    expect(JSON.stringify(await boom.json())).not.toContain('secret internals');
    const missing = await fetch(`${s.url}/nope`);
    expect(missing.status).toBe(404);
    await s.close();
  });

  it('reports not-ready with every failing dependency and its reason', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as any;
    expect(body.checks.database).toBe('connection refused');
    expect(body.reason).toContain('dapr-sidecar');
    expect(body.reason).toContain('database: connection refused');
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    await s.close();
  });

  it('reports an optional dependency that fails as degraded, staying ready', async () => {
    // A stand-in sidecar that answers its health check, so only the optional check fails.
    const sidecar = await listen(
      express().get('/v1.0/healthz/outbound', (_req, res) => {
        res.status(204).end();
      }),
    );
    const { app } = buildService({
      config: testConfig({ DAPR_HTTP_PORT: new URL(sidecar.url).port }),
      readiness: [
        { name: 'processor:x', optional: true, check: async () => ({ ok: false, reason: 'restarting' }) },
      ],
    });
    const s = await listen(app);
    const res = await fetch(`${s.url}/ready`);
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: 'ready', degraded: 'processor:x: restarting' });
    expect(body.checks).toMatchObject({ 'dapr-sidecar': 'ok', 'processor:x': 'restarting' });
    expect(body.reason).toBeUndefined();
    await s.close();
    await sidecar.close();
  });

  it('counts requests by route template in /metrics', async () => {
    const s = await start();
    await fetch(`${s.url}/bad`);
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*route="\/bad"[^}]*status_code="400"/,
    );
    await s.close();
  });

  it('echoes or creates a request id', async () => {
    const s = await start();
    expect(
      (await fetch(`${s.url}/bad`, { headers: { 'x-request-id': 'abc' } })).headers.get('x-request-id'),
    ).toBe('abc');
    expect((await fetch(`${s.url}/bad`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await s.close();
  });

  it('finishes in-flight requests when stopping, and reports not-ready meanwhile', async () => {
    const built = buildService({
      config: testConfig(),
      routes(app) {
        app.get('/slow', async (_req, res) => {
          await new Promise((r) => setTimeout(r, 300));
          res.json({ done: true });
        });
      },
    });
    const s = await listen(built.app);
    const inFlight = fetch(`${s.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    const stopped = built.ctx.lifecycle.stop(s.server, 'test');
    expect(built.ctx.lifecycle.isStopping).toBe(true);
    const res = await inFlight;
    expect(await res.json()).toEqual({ done: true });
    await stopped;
  });
});

describe('logging', () => {
  it('never writes credentials', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({
      req: { headers: { 'x-api-key': 'k-123', authorization: 'Bearer t-456' } },
      db: { password: 'p-789' },
    });
    expect(out).not.toMatch(/k-123|t-456|p-789/);
    expect(out).toContain('[redacted]');
  });
});
