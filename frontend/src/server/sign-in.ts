import { createHash, timingSafeEqual } from 'node:crypto';
import { config } from './config';
import { secret } from './secrets';
import { currentSession } from './session';
import { signInLimiter } from './sign-in-limiter';

export type SignInOutcome = { ok: true } | { ok: false; status: number; message: string };

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Checks the password (from the secret store) and seals the session into an httpOnly cookie. */
export async function signIn(password: unknown, client: string): Promise<SignInOutcome> {
  if (typeof password !== 'string' || password.length === 0)
    return { ok: false, status: 400, message: 'Enter the password.' };
  if (password.length > 512) return { ok: false, status: 400, message: 'That password is too long.' };
  const wait = signInLimiter.blockedForSec(client);
  if (wait > 0)
    return { ok: false, status: 429, message: `Too many wrong passwords. Try again in ${wait} s.` };
  let expected: string;
  try {
    expected = await secret(config().WEB_PASSWORD_SECRET);
  } catch {
    return {
      ok: false,
      status: 503,
      message: 'Signing in is not possible right now: the secret store is not answering.',
    };
  }
  // Same time whatever the password.
  if (!timingSafeEqual(digest(password), digest(expected))) {
    signInLimiter.failed(client);
    return { ok: false, status: 401, message: 'Wrong password.' };
  }
  signInLimiter.succeeded(client);
  const session = await currentSession();
  session.signedIn = true;
  session.since = Date.now();
  await session.save();
  return { ok: true };
}
