import { guard } from '@/server/guard';
import { invokeMainApp, MainAppError, readProblem, unreachable } from '@/server/main-app/invoke';
import { getVideo } from '@/server/main-app/videos';
import { problem } from '@/server/problem';
import { parseCues } from '@/server/transcript';
import { subtitleFiles, subtitleLanguage } from '@/shared/results';
import type { Transcript } from '@/shared/video';

export const dynamic = 'force-dynamic';

/** The subtitles as timed lines, for the transcript panel (click to seek, search). */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const { id } = await ctx.params;
  try {
    const video = await getVideo(id, req.signal);
    const { vtt } = subtitleFiles(video);
    if (!vtt) return problem(404, 'Not Found', 'This video has no subtitles (yet).');
    const res = await invokeMainApp(vtt.url, { signal: req.signal });
    if (!res.ok) throw await readProblem(res);
    const transcript: Transcript = { language: subtitleLanguage(video), cues: parseCues(await res.text()) };
    return Response.json(transcript, { headers: { 'cache-control': 'private, max-age=60' } });
  } catch (err) {
    if (err instanceof MainAppError) return problem(err.status, 'Not Found', err.detail);
    return unreachable(err);
  }
}
