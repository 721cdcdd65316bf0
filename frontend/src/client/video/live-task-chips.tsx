'use client';

import { TASK_LABELS, TASKS } from '@/shared/video';
import { TaskChip, VideoStatusBadge } from './status';
import { useVideo, useVideoEvents } from './use-video';

/** A just-uploaded video's tasks, updated live (upload page). */
export function LiveTaskChips({ videoId }: { videoId: string }) {
  const { data: video } = useVideo(videoId);
  useVideoEvents(videoId, video?.status === 'processing');
  if (!video) return null;
  return (
    <div className="chips" aria-live="polite" data-video-id={videoId}>
      <VideoStatusBadge status={video.status} />
      {TASKS.filter((t) => video.tasks[t]).map((t) => (
        <TaskChip
          key={t}
          task={t}
          label={TASK_LABELS[t]}
          status={video.tasks[t]!.status}
          progress={video.tasks[t]!.progress}
        />
      ))}
    </div>
  );
}
