import { waitUntil } from '@vidp/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureApp, type Stack, startStack } from '../support/stack.js';

interface Delivery {
  id: string;
  attempt: number;
  traceparent?: string;
}

describe('Dapr pub/sub on Redis and the secret store', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      apps: [
        { app: fixtureApp('receiver'), appId: 'receiver' },
        { app: fixtureApp('sender'), appId: 'sender' },
      ],
      secrets: { 'vidp-api-key': 'local-test-key' },
    });
  });
  afterAll(() => stack?.stop());

  const publish = (id: string, failFirst = false) =>
    fetch(`${stack.get('sender').app.url}/publish?id=${id}&failFirst=${failFirst}`, { method: 'POST' });
  const deliveries = async (id: string) => {
    const all = (await (await fetch(`${stack.get('receiver').app.url}/deliveries`)).json()) as Delivery[];
    return all.filter((d) => d.id === id);
  };

  it('delivers an event published by one app to a subscriber in another', async () => {
    const id = `evt-${Date.now()}`;
    expect((await publish(id)).status).toBe(202);
    await waitUntil('the delivery', async () => (await deliveries(id)).length > 0, 20_000, 200);
    const got = await deliveries(id);
    expect(got).toHaveLength(1);
    expect(got[0]?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('redelivers an event when the subscriber answers with an error once', async () => {
    const id = `retry-${Date.now()}`;
    expect((await publish(id, true)).status).toBe(202);
    await waitUntil('the redelivery', async () => (await deliveries(id)).length >= 2, 30_000, 200);
    expect((await deliveries(id)).map((d) => d.attempt)).toEqual([1, 2]);
  });

  it('reads a secret through the Dapr secret store', async () => {
    const res = await fetch(`${stack.get('sender').app.url}/secret/vidp-api-key`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ 'vidp-api-key': 'local-test-key' });
  });
});
