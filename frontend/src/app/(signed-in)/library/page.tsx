import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LibraryView } from '@/client/library/library-view';
import { MainAppError } from '@/server/main-app/invoke';
import { libraryPage } from '@/server/main-app/library';
import { requireSignedIn } from '@/server/session';
import { type LibraryQuery, libraryUrlQuery, parseLibraryQuery } from '@/shared/library-query';
import type { LibraryPage } from '@/shared/video';

export const metadata: Metadata = { title: 'Library · VidP' };
export const dynamic = 'force-dynamic';

/** The grid, once main-app has answered: streamed into the page after its first paint. */
async function LibraryData({ query }: { query: LibraryQuery }) {
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

function LibrarySkeleton() {
  return (
    <div className="library" aria-busy="true">
      <div className="library-head">
        <h1>Library</h1>
        <p className="muted">Loading…</p>
      </div>
      <ul className="grid skeleton" aria-hidden="true">
        {Array.from({ length: 8 }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: placeholders, never reordered
          <li key={i} className="card">
            <div className="thumb" />
            <div className="card-title">&nbsp;</div>
          </li>
        ))}
      </ul>
    </div>
  );
}

export default async function Library({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const query = parseLibraryQuery(await searchParams);
  await requireSignedIn(`/library${libraryUrlQuery(query) ? `?${libraryUrlQuery(query)}` : ''}`);
  // The page paints at once; the grid follows as soon as the catalog answers.
  return (
    <Suspense key={libraryUrlQuery(query)} fallback={<LibrarySkeleton />}>
      <LibraryData query={query} />
    </Suspense>
  );
}
