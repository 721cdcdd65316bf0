'use client';

import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { TaskName, TaskView, VideoView } from '@/shared/video';

export const videoKey = (id: string) => ['video', id] as const;

async function fetchVideo(id: string): Promise<VideoView> {
  const res = await fetch(`/api/videos/${id}`, { cache: 'no-store' });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new Error(body.detail ?? `HTTP ${res.status}`);
  }
  return (await res.json()) as VideoView;
}

export function useVideo(id: string, initial?: VideoView) {
  return useQuery({
    queryKey: videoKey(id),
    queryFn: () => fetchVideo(id),
    ...(initial ? { initialData: initial } : {}),
  });
}

function patchTask(qc: QueryClient, id: string, task: TaskName, patch: Partial<TaskView>): void {
  qc.setQueryData<VideoView>(videoKey(id), (v) => {
    if (!v) return v;
    const current = v.tasks[task] ?? { status: 'pending', attempts: 0, outputs: [] };
    return { ...v, tasks: { ...v.tasks, [task]: { ...current, ...patch } } };
  });
}

/**
 * Live pipeline progress: the video's Server-Sent Events update the cached video as they arrive.
 * The stream starts with a snapshot, so a reload (or a dropped connection, which EventSource
 * re-opens) always begins from the whole current state.
 */
export function useVideoEvents(id: string, processing: boolean): void {
  const qc = useQueryClient();
  useEffect(() => {
    if (!processing) return;
    const es = new EventSource(`/api/videos/${id}/events`);
    const data = (e: Event) => JSON.parse((e as MessageEvent<string>).data) as Record<string, any>;
    es.addEventListener('snapshot', (e) => {
      const snap = data(e) as VideoView;
      qc.setQueryData<VideoView>(videoKey(id), (old) => {
        // Stages only live in progress events: keep the last one seen.
        const tasks = { ...snap.tasks };
        for (const [t, view] of Object.entries(tasks) as [TaskName, TaskView][]) {
          const stage = old?.tasks[t]?.stage;
          if (stage && view.status === 'running') tasks[t] = { ...view, stage };
        }
        return { ...snap, tasks };
      });
      if (snap.status !== 'processing') es.close();
    });
    es.addEventListener('task.started', (e) => {
      const d = data(e);
      patchTask(qc, id, d.task, { status: 'running', progress: 0, attempts: d.attempt, startedAt: d.at });
    });
    es.addEventListener('task.progress', (e) => {
      const d = data(e);
      patchTask(qc, id, d.task, {
        status: 'running',
        progress: d.progress,
        ...(typeof d.stage === 'string' ? { stage: d.stage } : {}),
      });
    });
    es.addEventListener('task.completed', (e) => {
      patchTask(qc, id, data(e).task, { status: 'done', progress: 1 });
      // Results and output links come with the whole video.
      void qc.invalidateQueries({ queryKey: videoKey(id) });
    });
    es.addEventListener('task.failed', (e) => {
      const d = data(e);
      patchTask(qc, id, d.task, { status: d.willRetry ? 'retrying' : 'failed', lastError: d.error });
    });
    for (const end of ['video.completed', 'video.cancelled']) {
      es.addEventListener(end, () => void qc.invalidateQueries({ queryKey: videoKey(id) }));
    }
    return () => es.close();
  }, [id, processing, qc]);
}
