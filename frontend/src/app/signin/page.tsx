import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { safeReturnPath } from '@/server/return-path';
import { isSignedIn } from '@/server/session';

export const metadata: Metadata = { title: 'Sign in · VidP' };
export const dynamic = 'force-dynamic';

/** The only page a signed-out visitor sees. A plain form: it works before (and without) JavaScript. */
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; error?: string }>;
}) {
  const params = await searchParams;
  const next = safeReturnPath(params.next);
  if (await isSignedIn()) redirect(next);
  // Only our own short messages come back this way; anything else is not shown.
  const error = typeof params.error === 'string' && params.error.length < 120 ? params.error : null;
  return (
    <main className="signin">
      <div className="signin-card">
        <h1>
          <span className="logo" aria-hidden="true">
            ▶
          </span>{' '}
          VidP
        </h1>
        <p className="muted">Upload videos; VidP finds their language, subtitles, animals and renditions.</p>
        <form method="post" action="/api/session" className="stack">
          <input type="hidden" name="next" value={next} />
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'signin-error' : undefined}
          />
          {error ? (
            <p id="signin-error" role="alert" className="error">
              {error}
            </p>
          ) : null}
          <button type="submit" className="primary">
            Sign in
          </button>
        </form>
      </div>
    </main>
  );
}
