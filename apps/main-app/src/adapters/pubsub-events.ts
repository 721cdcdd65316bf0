import { PUBSUB } from '@vidp/contracts';
import { publish, type Sidecar } from '@vidp/service-kit';
import type { EventPublisher } from '../domain/events.js';

export function pubsubEvents(sidecar: Sidecar): EventPublisher {
  return { publish: (topic, data) => publish(sidecar, PUBSUB, topic, data) };
}
