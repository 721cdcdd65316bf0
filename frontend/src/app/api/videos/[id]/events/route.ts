import { guard } from '@/server/guard';
import { invokeMainApp, unreachable } from '@/server/main-app/invoke';
import { VIDEO_ID } from '@/server/main-app/videos';
import { problem } from '@/server/problem';
import { relay } from '@/server/relay';

export const dynamic = 'force-dynamic';

/**
 * Live progress: main-app's Server-Sent Events, streamed through as they come (no buffering,
 * no compression). EventSource cannot send headers; the session cookie is what admits it.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const { id } = await ctx.params;
  if (!VIDEO_ID.test(id)) return problem(404, 'Not Found', `No video ${id.slice(0, 64)}.`);
  try {
    const upstream = await invokeMainApp(`/api/videos/${id}/events`, {
      headers: { accept: 'text/event-stream' },
      signal: req.signal,
    });
    return relay(upstream, {
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'content-length': undefined,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') return new Response(null, { status: 499 });
    return unreachable(err);
  }
}
