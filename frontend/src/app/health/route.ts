export const dynamic = 'force-dynamic';

/** Liveness: the process answers. Never checks dependencies (a sidecar outage must not restart us). */
export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}
