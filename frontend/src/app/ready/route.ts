import { config } from '@/server/config';
import { secret } from '@/server/secrets';
import { sidecarHealthy } from '@/server/sidecar';

export const dynamic = 'force-dynamic';

/** Readiness: our sidecar answers and the secrets we need (API key, sign-in password, session key) are readable. */
export async function GET(): Promise<Response> {
  const c = config();
  let reason: string | undefined;
  if (!(await sidecarHealthy())) reason = 'the Dapr sidecar is not answering';
  else {
    try {
      await Promise.all([secret(c.API_KEY_SECRET), secret(c.WEB_PASSWORD_SECRET), secret(c.SESSION_SECRET)]);
    } catch (err) {
      reason = (err as Error).message;
    }
  }
  return Response.json(reason ? { status: 'unavailable', reason } : { status: 'ready' }, {
    status: reason ? 503 : 200,
    headers: { 'cache-control': 'no-store' },
  });
}
