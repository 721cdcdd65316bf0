import { guard } from '@/server/guard';
import { invokeMainApp, relayOr } from '@/server/main-app/invoke';
import { VIDEO_ID } from '@/server/main-app/videos';
import { problem } from '@/server/problem';

export const dynamic = 'force-dynamic';

/** Stops the processing of a video (409 with main-app's reason once it has ended). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const { id } = await ctx.params;
  if (!VIDEO_ID.test(id)) return problem(404, 'Not Found', `No video ${id.slice(0, 64)}.`);
  return relayOr(() => invokeMainApp(`/api/videos/${id}/cancel`, { method: 'POST' }));
}
