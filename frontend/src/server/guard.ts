import { notSignedIn, problem } from './problem';
import { isSignedIn } from './session';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every route handler that touches data starts with this. Signed-out requests get a 401;
 * requests that change something must also come from this site's own pages (the session
 * cookie is SameSite=Lax already; the Origin check is a second lock).
 */
export async function guard(req: Request): Promise<Response | undefined> {
  if (!(await isSignedIn())) return notSignedIn();
  if (!SAFE.has(req.method)) {
    const origin = req.headers.get('origin');
    const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
    if (origin && host && new URL(origin).host !== host) {
      return problem(403, 'Forbidden', 'This request did not come from the VidP web app.');
    }
  }
  return undefined;
}
