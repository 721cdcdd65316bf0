import { getIronSession, type SessionOptions, unsealData } from 'iron-session';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { config } from './config';
import { secret } from './secrets';

export const SESSION_COOKIE = 'vidp_session';

export interface SessionData {
  signedIn: true;
  /** When this session began (ms), for the record. */
  since: number;
}

async function sessionPassword(): Promise<string> {
  const password = await secret(config().SESSION_SECRET);
  if (password.length < 32) throw new Error(`secret "${config().SESSION_SECRET}" must have 32+ characters`);
  return password;
}

async function sessionOptions(): Promise<SessionOptions> {
  const c = config();
  return {
    cookieName: SESSION_COOKIE,
    password: await sessionPassword(),
    ttl: c.SESSION_HOURS * 3600,
    cookieOptions: { httpOnly: true, secure: c.SESSION_COOKIE_SECURE, sameSite: 'lax', path: '/' },
  };
}

/** The session of this request (an empty one when the cookie is missing, expired or tampered with). */
export async function currentSession() {
  return getIronSession<SessionData>(await cookies(), await sessionOptions());
}

/** True when the request carries a valid, unexpired sealed session. Never throws. */
export async function isSignedIn(): Promise<boolean> {
  try {
    return (await currentSession()).signedIn === true;
  } catch {
    return false;
  }
}

/** For proxy.ts, which sees the raw cookie value. */
export async function sealIsValid(seal: string | undefined): Promise<boolean> {
  if (!seal) return false;
  try {
    const data = await unsealData<Partial<SessionData>>(seal, {
      password: await sessionPassword(),
      ttl: config().SESSION_HOURS * 3600,
    });
    return data.signedIn === true;
  } catch {
    return false;
  }
}

/** Pages call this first: a visitor who is not signed in goes to the sign-in page, then comes back. */
export async function requireSignedIn(returnTo: string): Promise<void> {
  if (!(await isSignedIn())) redirect(`/signin?next=${encodeURIComponent(returnTo)}`);
}
