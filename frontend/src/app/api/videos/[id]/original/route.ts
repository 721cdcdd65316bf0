import { guard } from '@/server/guard';
import { VIDEO_ID } from '@/server/main-app/videos';
import { relayMedia } from '@/server/media';
import { problem } from '@/server/problem';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The uploaded file itself, with ranges. */
async function handle(req: Request, ctx: Ctx): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const { id } = await ctx.params;
  if (!VIDEO_ID.test(id)) return problem(404, 'Not Found', `No video ${id.slice(0, 64)}.`);
  return relayMedia(
    req,
    `/api/videos/${id}/original`,
    new URL(req.url).searchParams.get('name') ?? 'original',
  );
}

export const GET = handle;
export const HEAD = handle;
