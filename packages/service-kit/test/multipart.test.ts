import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeMultipart } from '../src/dapr/multipart-body.js';
import { isPlainFilename, safeFilename, withMultipart } from '../src/multipart.js';
import { buildService } from '../src/service.js';
import { listen, testConfig } from './helpers.js';

const LIMIT = 64 * 1024;

describe('streamed multipart reception', () => {
  let tmp: string;
  let server: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'kit-mp-'));
    const { app } = buildService({
      config: testConfig(),
      routes(app) {
        app.post('/upload', async (req, res) => {
          res.json(
            await withMultipart(req, { maxFileBytes: LIMIT, maxFiles: 2, tmpParent: tmp }, async (u) => ({
              fields: u.fields,
              files: u.files.map((f) => ({
                field: f.field,
                filename: f.filename,
                size: f.size,
                sha256: f.sha256,
              })),
            })),
          );
        });
      },
    });
    server = await listen(app);
  });
  afterAll(async () => {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    expect(await readdir(tmp)).toEqual([]);
  });

  const post = (form: FormData) => fetch(`${server.url}/upload`, { method: 'POST', body: form });
  const file = (bytes: number, name = 'clip.mp4') => new File([Buffer.alloc(bytes, 1)], name);

  it('stores, hashes and then removes the upload', async () => {
    const form = new FormData();
    form.append('title', 'Lions');
    form.append('file', file(1000));
    const res = await post(form);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.fields).toEqual({ title: 'Lions' });
    expect(body.files[0]).toEqual({
      field: 'file',
      filename: 'clip.mp4',
      size: 1000,
      sha256: createHash('sha256').update(Buffer.alloc(1000, 1)).digest('hex'),
    });
    expect(await readdir(tmp)).toEqual([]);
  });

  it('refuses a file over the limit with 413 problem+json and leaves nothing behind', async () => {
    const form = new FormData();
    form.append('file', file(LIMIT + 1));
    const res = await post(form);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as any).detail).toContain(`${LIMIT} bytes`);
    expect(await readdir(tmp)).toEqual([]);
    // The process survived and still serves.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('refuses a body that is not multipart with 415', async () => {
    const res = await fetch(`${server.url}/upload`, {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).detail).toMatch(/multipart\/form-data/);
  });

  it('refuses a multipart body without a boundary with 400', async () => {
    const res = await fetch(`${server.url}/upload`, {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'multipart/form-data' },
    });
    expect(res.status).toBe(400);
  });

  it('refuses a truncated multipart body with 400 and cleans up', async () => {
    const res = await fetch(`${server.url}/upload`, {
      method: 'POST',
      body: '--b\r\ncontent-disposition: form-data; name="file"; filename="a"\r\n\r\nhalf a file',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });
    expect(res.status).toBe(400);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('refuses too many files with 400', async () => {
    const form = new FormData();
    for (let i = 0; i < 3; i++) form.append('file', file(10, `f${i}`));
    const res = await post(form);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).detail).toMatch(/Too many files/);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('refuses a file name that is a path, and keeps only a safe base name of others', async () => {
    for (const name of ['../../etc/passwd', '..\\..\\win.ini', '/etc/shadow', '..']) {
      const form = new FormData();
      form.append('file', file(10, name));
      const res = await post(form);
      expect(res.status, name).toBe(400);
      expect(((await res.json()) as any).detail).toBe('The file name must be a plain name, not a path.');
    }
    // A large refused file is still arriving when the upload is given up: the service lives on.
    const big = new FormData();
    big.append('file', file(2 * 1024 * 1024, '../big.mp4'));
    expect((await post(big)).status).toBe(400);
    const after = new FormData();
    after.append('file', file(10));
    expect((await post(after)).status).toBe(200);
    expect(isPlainFilename('clip.final.mp4')).toBe(true);
    expect(isPlainFilename('a..b')).toBe(false);
    expect(safeFilename('..\\..\\win.ini')).toBe('win.ini');
    expect(safeFilename('..')).toBe('upload');
    expect(safeFilename('a\u0000b\nc.mp4')).toBe('abc.mp4');
  });

  it('removes the partial file when the client disconnects mid-upload', async () => {
    const { contentType } = encodeMultipart([]);
    const boundary = contentType.split('boundary=')[1];
    await new Promise<void>((resolve) => {
      const req = request(`${server.url}/upload`, {
        method: 'POST',
        headers: { 'content-type': contentType },
      });
      req.on('error', () => resolve());
      req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a"\r\n\r\n`);
      req.write(Buffer.alloc(1000));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(await readdir(tmp)).toEqual([]);
  });

  it('round-trips a body made by the streaming encoder', async () => {
    const data = Buffer.from('chunk'.repeat(1000));
    const { contentType, body } = encodeMultipart([
      { name: 'duration', value: '30' },
      {
        name: 'file',
        filename: 'x.bin',
        open: async function* () {
          yield data.subarray(0, 100);
          yield data.subarray(100);
        },
      },
    ]);
    const res = await fetch(`${server.url}/upload`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: body as any,
      duplex: 'half',
    } as RequestInit);
    const got = (await res.json()) as any;
    expect(got.fields).toEqual({ duration: '30' });
    expect(got.files[0].sha256).toBe(createHash('sha256').update(data).digest('hex'));
  });
});

describe('streamRequest', () => {
  it('rejects when aborted after the whole body was sent, before any answer', async () => {
    const { createServer } = await import('node:http');
    const { streamRequest } = await import('../src/dapr/stream-request.js');
    // A server that reads the body and never answers, like a processor still working.
    const server = createServer((req) => req.resume());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const ac = new AbortController();
    const pending = streamRequest(
      `http://127.0.0.1:${port}/`,
      {},
      (async function* () {
        yield Buffer.from('all of it');
      })(),
      ac.signal,
    );
    setTimeout(() => ac.abort(), 100);
    await expect(pending).rejects.toThrow(/abort/i);
    server.closeAllConnections();
    server.close();
  });
});

describe('encodeMultipart with chunks that are views into bigger buffers', () => {
  it('sends the view, not the bytes before it (as a GridFS chunk inside a wire message is)', async () => {
    const { encodeMultipart } = await import('../src/dapr/multipart-body.js');
    const backing = Buffer.alloc(400_000, 0xee);
    const payload = backing.subarray(100_000, 300_000); // 200 kB view at an offset
    payload.fill(0x42);
    const { body } = encodeMultipart([
      {
        name: 'file',
        filename: 'f',
        open: async function* () {
          yield payload;
        },
      },
    ]);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c));
    const out = Buffer.concat(chunks);
    expect(out.includes(Buffer.alloc(16, 0xee))).toBe(false);
    expect(out.includes(payload)).toBe(true);
  });
});
