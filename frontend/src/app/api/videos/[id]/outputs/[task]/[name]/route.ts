import { guard } from '@/server/guard';
import { MainAppError, unreachable } from '@/server/main-app/invoke';
import { outputPartName, VIDEO_ID } from '@/server/main-app/videos';
import { relayMedia } from '@/server/media';
import { problem } from '@/server/problem';
import { TASKS } from '@/shared/video';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; task: string; name: string }> };

/** An output file (rendition, HLS playlist or media, poster, storyboard, subtitles, best frame). */
async function handle(req: Request, ctx: Ctx): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const { id, task, name } = await ctx.params;
  if (!VIDEO_ID.test(id)) return problem(404, 'Not Found', `No video ${id.slice(0, 64)}.`);
  if (!(TASKS as readonly string[]).includes(task))
    return problem(404, 'Not Found', `No task ${task.slice(0, 40)}.`);
  try {
    const part = await outputPartName(id, task, name);
    if (!part) return problem(404, 'Not Found', `No output "${name.slice(0, 80)}" for ${task}.`);
    return relayMedia(req, `/api/videos/${id}/outputs/${task}/${encodeURIComponent(part)}`, name);
  } catch (err) {
    if (err instanceof MainAppError) return problem(err.status, 'Not Found', err.detail);
    return unreachable(err);
  }
}

export const GET = handle;
export const HEAD = handle;
