import type { Metadata } from 'next';
import { LibraryView } from '@/client/library/library-view';
import { MainAppError } from '@/server/main-app/invoke';
import { libraryPage } from '@/server/main-app/library';
import { requireSignedIn } from '@/server/session';
import { libraryUrlQuery, parseLibraryQuery } from '@/shared/library-query';
import type { LibraryPage } from '@/shared/video';

export const metadata: Metadata = { title: 'Library · VidP' };
export const dynamic = 'force-dynamic';

export default async function Library({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const query = parseLibraryQuery(await searchParams);
  await requireSignedIn(`/library${libraryUrlQuery(query) ? `?${libraryUrlQuery(query)}` : ''}`);
  let initial: LibraryPage | null = null;
  let error: string | null = null;
  try {
    initial = await libraryPage(query);
  } catch (err) {
    error =
      err instanceof MainAppError ? err.detail : 'VidP is not reachable right now; try again in a moment.';
  }
  return <LibraryView initialQuery={query} initialPage={initial} initialError={error} />;
}
