import { percent } from '@/shared/format';
import type { TaskStatus, VideoStatus } from '@/shared/video';

const TASK_TEXT: Record<TaskStatus, string> = {
  pending: 'waiting',
  running: 'running',
  retrying: 'retrying',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

export const taskStatusText = (s: TaskStatus, progress?: number) =>
  s === 'running' && typeof progress === 'number' ? `running ${percent(progress)}` : TASK_TEXT[s];

/** A task's status as a small chip: colour and icon for the eye, words for everyone. */
export function TaskChip({
  task,
  label,
  status,
  progress,
}: {
  task: string;
  label: string;
  status: TaskStatus;
  progress?: number | undefined;
}) {
  return (
    <span className={`chip task-${status}`} data-task={task} data-task-status={status}>
      <span aria-hidden="true" className="dot" />
      {label}: {taskStatusText(status, progress)}
    </span>
  );
}

export function VideoStatusBadge({ status }: { status: VideoStatus }) {
  return (
    <span className={`badge video-${status}`} data-video-status={status}>
      {status}
    </span>
  );
}
