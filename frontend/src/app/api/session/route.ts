import { problem } from '@/server/problem';
import { safeReturnPath } from '@/server/return-path';
import { signIn } from '@/server/sign-in';

export const dynamic = 'force-dynamic';

/**
 * Sign in. The sign-in page's form posts here (no JavaScript needed) and is sent on, or back to
 * the form with the reason; a JSON body ({ "password": "..." }) gets 204 or a problem instead.
 */
export async function POST(req: Request): Promise<Response> {
  const origin = req.headers.get('origin');
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  if (origin && host && new URL(origin).host !== host)
    return problem(403, 'Forbidden', 'Sign in from the VidP sign-in page.');
  const client = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'direct';
  const json = (req.headers.get('content-type') ?? '').startsWith('application/json');
  let password: unknown;
  let next = '/library';
  try {
    if (json) {
      password = ((await req.json()) as { password?: unknown }).password;
    } else {
      const form = await req.formData();
      password = form.get('password');
      next = safeReturnPath(form.get('next'));
    }
  } catch {
    return problem(
      400,
      'Bad Request',
      'Send the password as a form field or as JSON: { "password": "..." }.',
    );
  }
  const outcome = await signIn(password, client);
  if (json)
    return outcome.ok
      ? new Response(null, { status: 204 })
      : problem(outcome.status, 'Sign-in refused', outcome.message);
  const to = outcome.ok
    ? next
    : `/signin?next=${encodeURIComponent(next)}&error=${encodeURIComponent(outcome.message)}`;
  // 303: the browser follows with a GET.
  return new Response(null, { status: 303, headers: { location: to, 'cache-control': 'no-store' } });
}
