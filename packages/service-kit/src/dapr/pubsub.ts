import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Sidecar } from './sidecar.js';

export interface CloudEvent<T = unknown> {
  id: string;
  source: string;
  type: string;
  topic: string;
  pubsubname: string;
  data: T;
  traceparent?: string;
  [key: string]: unknown;
}

/** What a handler wants done with a message: done, or dropped (poison, never retried). */
export type HandlerOutcome = undefined | 'drop';

export interface Subscription<T = unknown> {
  pubsubName: string;
  topic: string;
  handler(event: CloudEvent<T>): Promise<HandlerOutcome | undefined> | Promise<void>;
  deadLetterTopic?: string;
}

/** Publishes a JSON event; Dapr wraps it in a CloudEvent and adds the trace context. */
export async function publish(
  sidecar: Sidecar,
  pubsubName: string,
  topic: string,
  data: unknown,
  metadata: Record<string, string> = {},
): Promise<void> {
  const query = new URLSearchParams(
    Object.entries(metadata).map(([k, v]): [string, string] => [`metadata.${k}`, v]),
  ).toString();
  const res = await sidecar.fetch(
    `/v1.0/publish/${encodeURIComponent(pubsubName)}/${encodeURIComponent(topic)}${query ? `?${query}` : ''}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(data),
    },
  );
  await sidecar.expectOk(res, `publish ${topic}`);
}

function routeFor(s: Subscription): string {
  return `/dapr/events/${encodeURIComponent(s.pubsubName)}/${encodeURIComponent(s.topic)}`;
}

/**
 * Programmatic subscriptions: `GET /dapr/subscribe` tells the sidecar what we listen to,
 * and each topic gets a route. A handler that throws answers 500, which makes Dapr
 * retry the delivery (per the resiliency policy) or the broker redeliver it later;
 * handlers must therefore be idempotent.
 */
export function subscriptionRouter(subs: Subscription[], logger: Logger): Router {
  const router = express.Router();
  router.get('/dapr/subscribe', (_req, res) => {
    res.json(
      subs.map((s) => ({
        pubsubname: s.pubsubName,
        topic: s.topic,
        route: routeFor(s),
        ...(s.deadLetterTopic ? { deadLetterTopic: s.deadLetterTopic } : {}),
      })),
    );
  });
  const parseJson = express.json({
    type: ['application/json', 'application/*+json'],
    limit: '1mb',
  });
  for (const s of subs) {
    router.post(routeFor(s), parseJson, async (req, res) => {
      const event = req.body as CloudEvent;
      try {
        const outcome = await s.handler(event);
        res.json({ status: outcome === 'drop' ? 'DROP' : 'SUCCESS' });
      } catch (err) {
        (req.log ?? logger).warn(
          { err, topic: s.topic, eventId: event?.id },
          'event handler failed; asking for redelivery',
        );
        res.status(500).json({ status: 'RETRY' });
      }
    });
  }
  return router;
}
