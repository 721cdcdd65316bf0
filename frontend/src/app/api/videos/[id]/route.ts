import { guard } from '@/server/guard';
import { invokeMainApp, relayOr } from '@/server/main-app/invoke';
import { VIDEO_ID } from '@/server/main-app/videos';
import { problem } from '@/server/problem';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

const noVideo = (id: string) => problem(404, 'Not Found', `No video ${id.slice(0, 64)}.`);

export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const { id } = await ctx.params;
  if (!VIDEO_ID.test(id)) return noVideo(id);
  return relayOr(() => invokeMainApp(`/api/videos/${id}`, { signal: req.signal }), {
    'cache-control': 'no-store',
  });
}

/** Deletes the video and every stored file. */
export async function DELETE(req: Request, ctx: Ctx): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const { id } = await ctx.params;
  if (!VIDEO_ID.test(id)) return noVideo(id);
  return relayOr(() => invokeMainApp(`/api/videos/${id}`, { method: 'DELETE' }));
}
