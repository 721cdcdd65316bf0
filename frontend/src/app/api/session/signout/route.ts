import { currentSession } from '@/server/session';

export const dynamic = 'force-dynamic';

/** Sign out: the session cookie is cleared. */
export async function POST(): Promise<Response> {
  (await currentSession()).destroy();
  return new Response(null, { status: 303, headers: { location: '/signin', 'cache-control': 'no-store' } });
}
