import { guard } from '@/server/guard';
import { relayTus } from '@/server/tus';

export const dynamic = 'force-dynamic';

/** tus: create an upload (metadata: filename, title, language, tasks). */
export async function POST(req: Request): Promise<Response> {
  return (await guard(req)) ?? relayTus(req, '/api/uploads');
}

/** tus: what this server supports (versions, extensions, max size). */
export async function OPTIONS(req: Request): Promise<Response> {
  return (await guard(req)) ?? relayTus(req, '/api/uploads');
}
