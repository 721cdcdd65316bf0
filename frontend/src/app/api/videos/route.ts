import { guard } from '@/server/guard';
import { toCard } from '@/server/main-app/cards';
import { invokeMainApp, readProblem, unreachable } from '@/server/main-app/invoke';
import { problem } from '@/server/problem';
import type { LibraryPage } from '@/shared/video';

export const dynamic = 'force-dynamic';

const PASSED = ['q', 'status', 'language', 'species', 'sort', 'limit', 'offset'] as const;

/** The library: main-app's list, as cards (what the grid shows, nothing more). */
export async function GET(req: Request): Promise<Response> {
  const denied = await guard(req);
  if (denied) return denied;
  const query = new URL(req.url).searchParams;
  const unknown = [...query.keys()].filter((k) => !(PASSED as readonly string[]).includes(k));
  if (unknown.length)
    return problem(
      400,
      'Bad Request',
      `Unknown parameter(s): ${unknown.join(', ')}. Known: ${PASSED.join(', ')}.`,
    );
  try {
    const res = await invokeMainApp(`/api/videos?${query}`, {
      headers: { accept: 'application/json' },
      signal: req.signal,
    });
    if (!res.ok) {
      const err = await readProblem(res);
      return problem(err.status, 'Bad Request', err.detail);
    }
    const body = (await res.json()) as {
      items: Record<string, unknown>[];
      total: number;
      limit: number;
      offset: number;
    };
    const page: LibraryPage = { ...body, items: body.items.map(toCard) };
    return Response.json(page, { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    return unreachable(err);
  }
}
