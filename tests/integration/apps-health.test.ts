import { type Stack, startStack } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APPS = ['main-app', 'downscale', 'langscale', 'subtitle', 'animal-detect'];

describe('the five VidP apps with their sidecars', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ apps: APPS.map((app) => ({ app, appId: app })), mongo: true });
  });
  afterAll(() => stack?.stop());

  it.each(APPS)('%s answers /health, /ready and /metrics', async (id) => {
    const { url } = stack.get(id).app;
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: id });

    const ready = await fetch(`${url}/ready`);
    const body = (await ready.json()) as any;
    expect(ready.status, JSON.stringify(body)).toBe(200);
    expect(body.checks['dapr-sidecar']).toBe('ok');

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('http_server_request_duration_seconds');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('main-app is ready only with its MongoDB-wire server', async () => {
    const ready = (await (await fetch(`${stack.get('main-app').app.url}/ready`)).json()) as any;
    expect(ready.checks.mongodb).toBe('ok');
  });

  it('says not-ready, with the reason, when the sidecar is down', async () => {
    const { app, daprd } = stack.get('langscale');
    await daprd.process.kill9();
    const res = await fetch(`${app.url}/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as any;
    expect(body.status).toBe('not-ready');
    expect(body.reason).toMatch(/dapr-sidecar: sidecar not answering/);
    // Liveness is unaffected: a sidecar outage must not get the app restarted.
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });

  it('says not-ready when MongoDB is down', async () => {
    await stack.mongo?.process.kill9();
    const res = await fetch(`${stack.get('main-app').app.url}/ready`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).reason).toMatch(/mongodb: MongoDB not reachable/);
  });
});
