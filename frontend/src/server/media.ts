import { invokeMainApp, unreachable } from './main-app/invoke';
import { pickHeaders, relay } from './relay';

const RANGE_HEADERS = ['range', 'if-range', 'if-none-match', 'if-modified-since'] as const;

const attachmentName = (name: string) => name.replace(/[^\w.\- ]/g, '_').slice(0, 120) || 'download';

/**
 * A stored file from main-app, streamed with its byte ranges (206 for a <video> seeking and for
 * HLS segments). `?download=1` makes it an attachment named `filename`.
 */
export async function relayMedia(req: Request, path: string, filename: string): Promise<Response> {
  const download = new URL(req.url).searchParams.get('download') === '1';
  try {
    const upstream = await invokeMainApp(path, {
      method: req.method === 'HEAD' ? 'HEAD' : 'GET',
      headers: pickHeaders(req.headers, RANGE_HEADERS),
      signal: req.signal,
    });
    return relay(
      upstream,
      download ? { 'content-disposition': `attachment; filename="${attachmentName(filename)}"` } : {},
    );
  } catch (err) {
    if ((err as Error).name === 'AbortError') return new Response(null, { status: 499 });
    return unreachable(err);
  }
}
