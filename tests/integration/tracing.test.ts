import { fixtureApp, type Stack, startStack, waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface ZipkinSpan {
  traceId: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
}

describe('one trace across apps and sidecars, in a real Zipkin', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      apps: [
        { app: fixtureApp('receiver'), appId: 'receiver' },
        { app: fixtureApp('sender'), appId: 'sender' },
      ],
      zipkin: true,
    });
  });
  afterAll(() => stack?.stop());

  it('records the app spans and both sidecars under the caller trace id', async () => {
    const res = await fetch(`${stack.get('sender').app.url}/send?bytes=1024&target=receiver`, {
      method: 'POST',
    });
    const { traceId, status } = (await res.json()) as { traceId: string; status: number };
    expect(status).toBe(200);

    const zipkin = `http://127.0.0.1:${stack.zipkin?.port}/api/v2/trace/${traceId}`;
    let spans: ZipkinSpan[] = [];
    // Apps and sidecars export in batches: wait until all four have reported.
    await waitUntil(
      'spans from both apps and both sidecars',
      async () => {
        const r = await fetch(zipkin);
        spans = r.ok ? ((await r.json()) as ZipkinSpan[]) : [];
        return (
          spans.filter((s) => s.localEndpoint?.serviceName?.includes('receiver')).length >= 2 &&
          spans.filter((s) => s.localEndpoint?.serviceName?.includes('sender')).length >= 2
        );
      },
      30_000,
      500,
    );
    const seen = spans.map((s) => `${s.localEndpoint?.serviceName} ${s.kind} ${s.name}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'sender SERVER post /send', // the sender app
        'sender CLIENT calllocal/receiver/api/echo/upload', // its sidecar
        'receiver SERVER calllocal/receiver/api/echo/upload', // the receiver's sidecar
        'receiver SERVER post /api/echo/upload', // the receiver app
      ]),
    );
    expect(spans.every((s) => s.traceId === traceId)).toBe(true);
  });
});
