import { fixtureApp, type Stack, startStack, waitUntil } from '@vidp/local-stack';
import { deleteState, EtagMismatchError, getState, Sidecar, saveState } from '@vidp/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Delivery {
  id: string;
  attempt: number;
  traceparent?: string;
}

describe('Dapr pub/sub, state and secrets through real sidecars', () => {
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

  it('saves state with ETags and refuses a stale write', async () => {
    const sidecar = new Sidecar({ host: '127.0.0.1', httpPort: stack.get('sender').daprd.httpPort });
    const key = `task-${Date.now()}`;
    expect(await getState(sidecar, 'vidp-state', key)).toBeUndefined();
    await saveState(sidecar, 'vidp-state', [{ key, value: { status: 'pending' } }]);
    const first = await getState<{ status: string }>(sidecar, 'vidp-state', key);
    expect(first?.value).toEqual({ status: 'pending' });
    expect(first?.etag).toBeTruthy();

    await saveState(sidecar, 'vidp-state', [{ key, value: { status: 'running' }, etag: first!.etag }]);
    // A second worker still holding the old ETag loses the race.
    await expect(
      saveState(sidecar, 'vidp-state', [{ key, value: { status: 'running' }, etag: first!.etag }]),
    ).rejects.toBeInstanceOf(EtagMismatchError);
    await expect(deleteState(sidecar, 'vidp-state', key, first!.etag)).rejects.toBeInstanceOf(
      EtagMismatchError,
    );

    const second = await getState<{ status: string }>(sidecar, 'vidp-state', key);
    expect(second?.value).toEqual({ status: 'running' });
    await deleteState(sidecar, 'vidp-state', key, second!.etag);
    expect(await getState(sidecar, 'vidp-state', key)).toBeUndefined();
  });
});
