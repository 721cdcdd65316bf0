import { EventEmitter } from 'node:events';

export interface HubEvent {
  topic: string;
  videoId: string;
  data: Record<string, unknown>;
}

/**
 * In-process fan-out of platform events to open SSE streams. Every replica is fed by its
 * own broadcast subscription, so a client may be connected to any replica.
 */
export class EventHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open stream: many streams are normal.
    this.emitter.setMaxListeners(0);
  }

  emit(e: HubEvent): void {
    this.emitter.emit(e.videoId, e);
  }

  listen(videoId: string, fn: (e: HubEvent) => void): () => void {
    this.emitter.on(videoId, fn);
    return () => this.emitter.off(videoId, fn);
  }
}
