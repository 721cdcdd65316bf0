import { TOPICS } from '@vidp/contracts';
import { EtagMismatchError } from '@vidp/service-kit';
import type { BlobStore } from '../adapters/blob-store.js';
import type { Catalog } from '../adapters/catalog.js';
import type { TaskStateStore } from '../adapters/task-state.js';
import type { EventPublisher } from './events.js';
import { TERMINAL, type Video } from './model.js';
import { taskView } from './orchestrator.js';

export interface StopDeps {
  catalog: Catalog;
  state: TaskStateStore;
  blobs: BlobStore;
  events: EventPublisher;
  /** Aborts this replica's running calls; others notice at their next lease renewal. */
  abortRunning(videoId: string): void;
}

/** Marks every unfinished task cancelled (ETag-checked, retried on a concurrent change). */
async function cancelTasks(d: StopDeps, video: Video): Promise<void> {
  for (const task of video.requestedTasks) {
    for (let i = 0; i < 5; i++) {
      const rec = await d.state.read(video._id, task);
      if (!rec || TERMINAL.has(rec.value.status)) break;
      const cancelled = {
        status: 'cancelled' as const,
        attempt: rec.value.attempt,
        reason: 'cancelled by request',
        finishedAt: new Date().toISOString(),
      };
      try {
        await d.state.write(video._id, task, cancelled, rec.etag);
        await d.catalog.setTask(video._id, task, taskView(cancelled));
        break;
      } catch (err) {
        if (!(err instanceof EtagMismatchError)) throw err;
      }
    }
  }
}

/** Cancels a video still processing; returns false when it had already ended. */
export async function cancelVideo(d: StopDeps, video: Video): Promise<boolean> {
  if (video.status !== 'processing') return false;
  const won = await d.catalog.finish(video._id, 'cancelled');
  d.abortRunning(video._id);
  await cancelTasks(d, video);
  if (won)
    await d.events.publish(TOPICS.videoCancelled, { videoId: video._id, at: new Date().toISOString() });
  return won;
}

/** Deletes a video at any stage: its running work, every stored file, its records. */
export async function deleteVideo(d: StopDeps, video: Video): Promise<void> {
  await cancelVideo(d, video);
  for (const task of video.requestedTasks) await d.state.tombstone(video._id, task);
  await d.blobs.deleteOwned({ videoId: video._id });
  await d.catalog.remove(video._id);
  await d.events.publish(TOPICS.videoDeleted, { videoId: video._id, at: new Date().toISOString() });
}
