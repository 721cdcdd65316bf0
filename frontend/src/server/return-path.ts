/** Where to go after signing in: only a path of this site (no open redirect). */
export function safeReturnPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\'))
    return '/library';
  return next;
}
