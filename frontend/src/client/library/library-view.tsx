'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { KNOWN_LANGUAGES, KNOWN_SPECIES, languageName } from '@/shared/format';
import { type LibraryQuery, libraryUrlQuery, listApiQuery, PAGE_SIZE } from '@/shared/library-query';
import { type LibraryPage, VIDEO_STATUSES } from '@/shared/video';
import { VideoCard } from './video-card';

async function fetchPage(q: LibraryQuery): Promise<LibraryPage> {
  const res = await fetch(`/api/videos?${listApiQuery(q)}`, { cache: 'no-store' });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new Error(body.detail ?? `The library could not be loaded (HTTP ${res.status}).`);
  }
  return (await res.json()) as LibraryPage;
}

const same = (a: LibraryQuery, b: LibraryQuery) => libraryUrlQuery(a) === libraryUrlQuery(b);

export function LibraryView({
  initialQuery,
  initialPage,
  initialError,
}: {
  initialQuery: LibraryQuery;
  initialPage: LibraryPage | null;
  initialError: string | null;
}) {
  const [query, setQuery] = useState(initialQuery);
  const [typed, setTyped] = useState(initialQuery.q);
  const ids = useId();
  const first = useRef(true);

  const { data, error, isFetching } = useQuery({
    queryKey: ['library', libraryUrlQuery(query)],
    queryFn: () => fetchPage(query),
    ...(initialPage && same(query, initialQuery) ? { initialData: initialPage } : {}),
    placeholderData: keepPreviousData,
    // While something is being processed, its card follows along.
    refetchInterval: (q) => (q.state.data?.items.some((c) => c.status === 'processing') ? 4000 : false),
  });

  // The URL follows the view (shareable, back button), without a server round trip.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const qs = libraryUrlQuery(query);
    window.history.replaceState(null, '', qs ? `/library?${qs}` : '/library');
  }, [query]);

  // Search as you type, once typing pauses.
  useEffect(() => {
    if (typed === query.q) return;
    const t = setTimeout(() => setQuery((q) => ({ ...q, q: typed, page: 1 })), 300);
    return () => clearTimeout(t);
  }, [typed, query.q]);

  const set = (patch: Partial<LibraryQuery>) => setQuery((q) => ({ ...q, ...patch, page: patch.page ?? 1 }));
  const page = data ?? null;
  const pages = page ? Math.max(1, Math.ceil(page.total / PAGE_SIZE)) : 1;
  const message = error ? (error as Error).message : !page ? initialError : null;

  return (
    <div className="library">
      <div className="library-head">
        <h1>Library</h1>
        <p className="muted" aria-live="polite">
          {page ? `${page.total} video${page.total === 1 ? '' : 's'}` : ''}
          {isFetching ? ' · updating…' : ''}
        </p>
      </div>
      <search className="filters">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            set({ q: typed });
          }}
        >
          <label htmlFor={`${ids}-q`}>Search titles and what is said</label>
          <input
            id={`${ids}-q`}
            type="search"
            value={typed}
            placeholder="e.g. country"
            onChange={(e) => setTyped(e.target.value)}
          />
        </form>
        <div className="filter">
          <label htmlFor={`${ids}-status`}>Status</label>
          <select
            id={`${ids}-status`}
            value={query.status}
            onChange={(e) => set({ status: e.target.value as LibraryQuery['status'] })}
          >
            <option value="">Any</option>
            {VIDEO_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${ids}-lang`}>Language</label>
          <select
            id={`${ids}-lang`}
            value={query.language}
            onChange={(e) => set({ language: e.target.value })}
          >
            <option value="">Any</option>
            {KNOWN_LANGUAGES.map((c) => (
              <option key={c} value={c}>
                {languageName(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${ids}-species`}>Animal</label>
          <select
            id={`${ids}-species`}
            value={query.species}
            onChange={(e) => set({ species: e.target.value })}
          >
            <option value="">Any</option>
            {KNOWN_SPECIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </search>
      {message ? (
        <p role="alert" className="error">
          {message}
        </p>
      ) : null}
      {page && page.items.length === 0 ? (
        <p className="empty">
          {libraryUrlQuery({ ...query, page: 1 }) ? 'No video matches.' : 'No videos yet: upload one.'}
        </p>
      ) : null}
      <ul className="grid" aria-label="Videos">
        {page?.items.map((card, i) => (
          <li key={card.id}>
            <VideoCard card={card} eager={i < 4} />
          </li>
        ))}
      </ul>
      {page && pages > 1 ? (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={query.page <= 1} onClick={() => set({ page: query.page - 1 })}>
            Previous
          </button>
          <span aria-current="page">
            Page {query.page} of {pages}
          </span>
          <button type="button" disabled={query.page >= pages} onClick={() => set({ page: query.page + 1 })}>
            Next
          </button>
        </nav>
      ) : null}
    </div>
  );
}
