/** An RFC 9457 problem answer, as main-app gives them: a status and a message a person can act on. */
export function problem(status: number, title: string, detail: string, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
  });
}

export const notSignedIn = () =>
  problem(401, 'Unauthorized', 'You are not signed in (or your session has expired): sign in again.');
