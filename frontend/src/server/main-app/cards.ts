import { storyboardOf } from '@/shared/results';
import { type LibraryCard, TASKS, type TaskName, type VideoStatus } from '@/shared/video';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' ? (v as Json) : null);

/** Only links to our own media paths are passed on. */
const ownPath = (v: unknown): string | null =>
  typeof v === 'string' && /^\/api\/videos\/[0-9a-f-]{36}\//.test(v) ? v : null;

function outputUrl(task: Json | null, name: string): string | null {
  const outputs = Array.isArray(task?.outputs) ? (task.outputs as Json[]) : [];
  return ownPath(outputs.find((o) => o.name === name)?.url);
}

/**
 * One list item from main-app as a library card. main-app may send its full video view or a
 * summary; both are read here, and nothing else reaches the browser.
 */
export function toCard(item: Json): LibraryCard {
  const tasksIn = obj(item.tasks) ?? {};
  const tasks: LibraryCard['tasks'] = {};
  for (const t of TASKS) {
    const view = obj(tasksIn[t]);
    if (!view) continue;
    const status = (typeof view.status === 'string' ? view.status : view) as string;
    tasks[t as TaskName] = {
      status: status as NonNullable<LibraryCard['tasks'][TaskName]>['status'],
      ...(typeof view.progress === 'number' ? { progress: view.progress } : {}),
    };
  }
  // A plain status string per task in a summary: { tasks: { langscale: 'done' } }.
  for (const t of TASKS) {
    if (!tasks[t] && typeof tasksIn[t] === 'string') tasks[t] = { status: tasksIn[t] as 'done' };
  }
  const downscale = obj(tasksIn.downscale);
  const media = obj(item.media);
  const summaryStoryboard = obj(item.storyboard);
  const poster = ownPath(item.poster) ?? ownPath(obj(item.poster)?.url) ?? outputUrl(downscale, 'poster');
  const storyboard = summaryStoryboard
    ? storyboardOf({ storyboard: summaryStoryboard }, ownPath(summaryStoryboard.url))
    : storyboardOf(downscale?.result, outputUrl(downscale, 'storyboard'));
  return {
    id: String(item.id),
    title: String(item.title ?? item.filename ?? ''),
    status: String(item.status) as VideoStatus,
    createdAt: String(item.createdAt ?? ''),
    durationSec: Number(media?.durationSec ?? item.durationSec ?? 0),
    tasks,
    language: typeof item.language === 'string' ? item.language : null,
    species: Array.isArray(item.species)
      ? item.species.filter((s): s is string => typeof s === 'string')
      : [],
    poster,
    storyboard,
  };
}
