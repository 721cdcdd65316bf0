import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sidecar } from '@vidp/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeProcessor } from '../src/adapters/processor-client.js';

// A stand-in sidecar answering the invoke of each processor's /ready as a real one would.
describe("a processor's readiness, as main-app sees it through its sidecar", () => {
  let server: Server;
  let sidecar: Sidecar;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const task = /^\/v1\.0\/invoke\/([^/]+)\/method\/ready$/.exec(req.url ?? '')?.[1];
      if (task === 'downscale') res.writeHead(200).end('{"status":"ready"}');
      else if (task === 'subtitle')
        res.writeHead(503).end('{"status":"not-ready","reason":"speech-engine: loading the model"}');
      else if (task === 'langscale')
        res.writeHead(500).end('{"message":"error invoking app channel: connection refused"}');
      // animal-detect: busy, never answers in time
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    sidecar = new Sidecar({ host: '127.0.0.1', httpPort: (server.address() as AddressInfo).port });
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('is up when it answers ready', async () => {
    expect(await probeProcessor(sidecar, 'downscale')).toEqual({ ok: true, down: false });
  });

  it('is down when it answers not-ready, or its sidecar cannot reach it, with the reason', async () => {
    expect(await probeProcessor(sidecar, 'subtitle')).toMatchObject({
      ok: false,
      down: true,
      reason: 'answered 503: speech-engine: loading the model',
    });
    expect(await probeProcessor(sidecar, 'langscale')).toMatchObject({ ok: false, down: true });
  });

  it('is not down when it is only slow to answer (busy)', async () => {
    expect(await probeProcessor(sidecar, 'animal-detect', 300)).toMatchObject({ ok: false, down: false });
  });

  it('is down when nothing listens', async () => {
    const nowhere = new Sidecar({ host: '127.0.0.1', httpPort: 9 });
    expect(await probeProcessor(nowhere, 'downscale')).toMatchObject({ ok: false, down: true });
  });
});
