import { type NextRequest, NextResponse } from 'next/server';
import { SESSION_COOKIE, sealIsValid } from './server/session';

/**
 * Sends signed-out visitors of a page to the sign-in page. Only pages are matched: uploads,
 * media, SSE and every other /api route stay out of the matcher, because Next.js clones the
 * body of matched requests and silently truncates it past 10 MB. Those routes check the
 * session themselves (server/guard.ts), and so do the pages (defence in depth).
 */
export async function proxy(req: NextRequest): Promise<NextResponse> {
  if (await sealIsValid(req.cookies.get(SESSION_COOKIE)?.value)) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = '/signin';
  url.search = `?next=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  matcher: ['/', '/upload', '/library', '/videos/:id*'],
};
