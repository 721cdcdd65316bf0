import { join } from 'node:path';
import { fixtureApp, peakRssBytes, type Stack, startStack } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesLeft } from '../support/fs.js';

const MiB = 1024 * 1024;
const RSS_LIMIT = 150 * MiB;

describe('service invocation through real daprd sidecars, streamed', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      apps: [
        { app: fixtureApp('receiver'), appId: 'receiver', env: { MAX_UPLOAD_BYTES: String(350 * MiB) } },
        { app: fixtureApp('receiver'), appId: 'small-receiver', env: { MAX_UPLOAD_BYTES: String(8 * MiB) } },
        { app: fixtureApp('sender'), appId: 'sender' },
      ],
    });
  });
  afterAll(() => stack?.stop());

  const send = async (bytes: number, target: string) => {
    const res = await fetch(`${stack.get('sender').app.url}/send?bytes=${bytes}&target=${target}`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      status: number;
      contentType: string;
      body: Record<string, any>;
      sentSha256: string;
      traceId: string;
    };
  };

  it('delivers a 300 MB multipart body intact, with every process under 150 MB peak RSS', async () => {
    const answer = await send(300 * MiB, 'receiver');
    expect(answer.status).toBe(200);
    expect(answer.body.file.size).toBe(300 * MiB);
    expect(answer.body.file.sha256).toBe(answer.sentSha256);
    expect(answer.body.fields).toEqual({ note: 'hello' });

    const peaks: Record<string, number> = {};
    for (const id of ['sender', 'receiver']) {
      const { app, daprd } = stack.get(id);
      peaks[`${id} app`] = await peakRssBytes(app.process.pid);
      peaks[`${id} daprd`] = await peakRssBytes(daprd.process.pid);
    }
    console.log(
      'peak RSS (MB):',
      Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, (v / MiB).toFixed(1)])),
    );
    for (const [who, peak] of Object.entries(peaks)) expect(peak, who).toBeLessThan(RSS_LIMIT);
    expect(await filesLeft(join(stack.dir, 'tmp'))).toEqual([]);
  });

  it('keeps the W3C trace id across the sidecars', async () => {
    const answer = await send(1024, 'receiver');
    expect(answer.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.body.traceparent).toContain(answer.traceId);
  });

  it('answers 413 problem+json when the body exceeds the limit, and leaves no temp file', async () => {
    const answer = await send(20 * MiB, 'small-receiver');
    expect(answer.status).toBe(413);
    expect(answer.contentType).toContain('application/problem+json');
    expect(answer.body.detail).toMatch(/larger than the 8388608 bytes/);
    expect(await filesLeft(join(stack.dir, 'tmp'))).toEqual([]);
    // The receiver is still healthy after refusing.
    expect((await send(1024, 'small-receiver')).status).toBe(200);
  });
});
