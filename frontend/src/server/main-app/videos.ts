import type { VideoView } from '@/shared/video';
import { MainAppError, mainAppJson } from './invoke';

export const VIDEO_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function getVideo(id: string, signal?: AbortSignal): Promise<VideoView> {
  if (!VIDEO_ID.test(id)) throw new MainAppError(404, `No video ${id.slice(0, 64)}.`);
  return mainAppJson<VideoView>(`/api/videos/${id}`, signal);
}

// Players ask for files by the names playlists and the thumbnails track use (720p.m3u8,
// storyboard.jpg); main-app names outputs by part. A short cache of each video's outputs maps
// one to the other without a catalog read per HLS segment. Outputs never change once stored.
const OUTPUTS_TTL_MS = 30_000;
const MAX_CACHED = 200;
const outputs = new Map<string, { at: number; byFile: Map<string, string> }>();

/** The part name of `task`'s output called `name` (a part name or a file name), or null. */
export async function outputPartName(id: string, task: string, name: string): Promise<string | null> {
  const key = `${id}/${task}`;
  let hit = outputs.get(key);
  if (!hit || Date.now() - hit.at > OUTPUTS_TTL_MS || !hit.byFile.has(name)) {
    const video = await getVideo(id);
    const list = video.tasks[task as keyof VideoView['tasks']]?.outputs ?? [];
    const byFile = new Map<string, string>();
    for (const o of list) {
      byFile.set(o.name, o.name);
      if (!byFile.has(o.filename)) byFile.set(o.filename, o.name);
    }
    hit = { at: Date.now(), byFile };
    if (outputs.size >= MAX_CACHED) outputs.delete(outputs.keys().next().value as string);
    outputs.set(key, hit);
  }
  return hit.byFile.get(name) ?? null;
}
