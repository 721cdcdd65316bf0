import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { encodeMultipart, type Part } from './dapr/multipart-body.js';
import { publish } from './dapr/pubsub.js';
import type { Sidecar } from './dapr/sidecar.js';

/**
 * An AbortSignal that fires when the caller goes away before we answered (main-app
 * cancelled the task, or died): long work such as ffmpeg must then stop and clean up.
 */
export function abortOnDisconnect(req: Request, res: Response): AbortSignal {
  const ac = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) ac.abort(new Error('the caller disconnected'));
  });
  req.on('close', () => {
    if (!req.complete) ac.abort(new Error('the caller disconnected'));
  });
  return ac.signal;
}

/**
 * Answers with several parts (a JSON result and files) as one streamed
 * multipart/form-data body: files are read from disk as they are sent.
 */
export async function replyMultipart(res: Response, parts: Part[]): Promise<void> {
  const { contentType, body } = encodeMultipart(parts);
  res.status(200).setHeader('content-type', contentType);
  for await (const chunk of body) {
    if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
    if (res.destroyed) return;
  }
  res.end();
}

export interface ProgressTarget {
  pubsubName: string;
  topic: string;
  /** Extra fields of every progress event (video and task ids, task name). */
  fields: Record<string, string>;
}

/**
 * Publishes progress (0..1) at most every `everyMs`, always the final value; never throws:
 * progress is informative and must not fail the work.
 */
export function progressReporter(
  sidecar: Sidecar,
  target: ProgressTarget | undefined,
  logger: Logger,
  everyMs = 1000,
): (progress: number, stage?: string) => void {
  if (!target) return () => undefined;
  let last = 0;
  return (progress, stage) => {
    const now = Date.now();
    if (progress < 1 && now - last < everyMs) return;
    last = now;
    const data = {
      ...target.fields,
      progress: Math.max(0, Math.min(1, progress)),
      ...(stage ? { stage } : {}),
      at: new Date(now).toISOString(),
    };
    publish(sidecar, target.pubsubName, target.topic, data).catch((err: Error) =>
      logger.warn({ err: err.message }, 'could not publish progress'),
    );
  };
}
