'use client';

import { percent } from '@/shared/format';
import { TASK_LABELS, TASKS, type VideoView } from '@/shared/video';
import { taskStatusText } from './status';

/** Each task's state, live while the video is processed (percent, stage, retries, reasons). */
export function PipelineProgress({ video }: { video: VideoView }) {
  return (
    <section className="panel pipeline" aria-labelledby="pipeline-h">
      <h2 id="pipeline-h">Processing</h2>
      <ol className="tasks" aria-live="polite">
        {TASKS.filter((t) => video.tasks[t]).map((t) => {
          const task = video.tasks[t]!;
          const running = task.status === 'running';
          return (
            <li key={t} className={`task task-${task.status}`} data-task={t} data-task-status={task.status}>
              <div className="task-head">
                <span className="dot" aria-hidden="true" />
                <strong>{TASK_LABELS[t]}</strong>
                <span className="task-state">{taskStatusText(task.status, task.progress)}</span>
              </div>
              {running ? (
                <div className="task-progress">
                  <progress
                    max={1}
                    value={task.progress ?? 0}
                    aria-label={`${TASK_LABELS[t]} progress`}
                    aria-valuetext={percent(task.progress ?? 0)}
                  />
                  {task.stage ? <span className="muted small">{task.stage}</span> : null}
                </div>
              ) : null}
              {task.attempts > 1 ? <p className="muted small">attempt {task.attempts}</p> : null}
              {task.lastError && task.status !== 'done' ? (
                <p className="error small">{task.lastError}</p>
              ) : null}
              {task.reason ? <p className="muted small">{task.reason}</p> : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
