import type { Request, Response } from 'express';
import type { EventHub, HubEvent } from '../domain/event-hub.js';
import type { Video } from '../domain/model.js';
import { videoView } from './video-view.js';

const HEARTBEAT_MS = 15_000;
const FINAL = new Set(['video.completed', 'video.cancelled', 'video.deleted']);
/**
 * Each topic is its own stream, so events of one video can arrive out of order across
 * topics (a task.completed just after video.completed). After the final event the stream
 * stays open this long for stragglers, then ends with a last `snapshot`: the whole state.
 */
const FINAL_GRACE_MS = 1000;

/**
 * Server-Sent Events for one video: a `snapshot` first, then every platform event about it
 * as it arrives (from pub/sub, on whichever replica serves this client), and once it has
 * ended, a final `snapshot`.
 */
export async function streamEvents(
  req: Request,
  res: Response,
  hub: EventHub,
  video: Video,
  reload: () => Promise<Video | null>,
): Promise<void> {
  res.status(200);
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache, no-transform');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  let seq = 0;
  const send = (event: string, data: unknown) => {
    res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  let ending = false;
  const end = () => {
    stop();
    clearInterval(beat);
    if (!res.writableEnded) res.end();
  };
  const finish = () => {
    if (ending) return;
    ending = true;
    setTimeout(async () => {
      const last = await reload().catch(() => null);
      if (last && !res.writableEnded) send('snapshot', videoView(last));
      end();
    }, FINAL_GRACE_MS).unref();
  };
  // Subscribe first, then read: an event between the two is not lost. Events that arrive
  // before the snapshot is sent are held, so the snapshot always comes first.
  let held: HubEvent[] | undefined = [];
  const forward = (e: HubEvent) => {
    if (res.writableEnded) return;
    send(e.topic, e.data);
    if (FINAL.has(e.topic)) finish();
  };
  const stop = hub.listen(video._id, (e: HubEvent) => {
    if (held) held.push(e);
    else forward(e);
  });
  const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  req.on('close', () => {
    stop();
    clearInterval(beat);
  });
  res.on('close', () => {
    stop();
    clearInterval(beat);
  });
  const fresh = (await reload()) ?? video;
  send('snapshot', videoView(fresh));
  const pending = held;
  held = undefined;
  for (const e of pending) forward(e);
  if (fresh.status !== 'processing' && !res.writableEnded) end();
}
