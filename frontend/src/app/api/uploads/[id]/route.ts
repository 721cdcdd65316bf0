import { guard } from '@/server/guard';
import { problem } from '@/server/problem';
import { relayTus, UPLOAD_ID } from '@/server/tus';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

async function handle(req: Request, ctx: Ctx): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const { id } = await ctx.params;
  if (!UPLOAD_ID.test(id)) return problem(404, 'Not Found', 'No such upload.');
  return relayTus(req, `/api/uploads/${id}`);
}

/** tus: the offset to go on from after an interruption. */
export const HEAD = handle;
/** tus: the next chunk (8 MiB from the page), streamed through. */
export const PATCH = handle;
/** tus: give up an upload (its partial file is removed). */
export const DELETE = handle;
