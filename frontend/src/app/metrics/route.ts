import { registry } from '@/server/metrics';

export const dynamic = 'force-dynamic';

/** Prometheus metrics of this process. */
export async function GET(): Promise<Response> {
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } });
}
