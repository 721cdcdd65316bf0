import { guard } from '@/server/guard';
import { MainAppError, unreachable } from '@/server/main-app/invoke';
import { getVideo } from '@/server/main-app/videos';
import { problem } from '@/server/problem';
import { TASKS, type TaskName } from '@/shared/video';

export const dynamic = 'force-dynamic';

/** A task's result document as a JSON download (`<task>.json`). */
export async function GET(
  req: Request,
  ctx: { params: Promise<{ id: string; task: string }> },
): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const { id, task } = await ctx.params;
  if (!(TASKS as readonly string[]).includes(task))
    return problem(404, 'Not Found', `No task ${task.slice(0, 40)}. Tasks: ${TASKS.join(', ')}.`);
  try {
    const video = await getVideo(id, req.signal);
    const view = video.tasks[task as TaskName];
    if (!view || view.result === undefined)
      return problem(
        404,
        'Not Found',
        `The ${task} task has no result (it is ${view?.status ?? 'not requested'}).`,
      );
    return new Response(JSON.stringify(view.result, null, 2), {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="${task}.json"`,
        'cache-control': 'private, no-store',
      },
    });
  } catch (err) {
    if (err instanceof MainAppError) return problem(err.status, 'Not Found', err.detail);
    return unreachable(err);
  }
}
