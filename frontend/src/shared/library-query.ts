import { VIDEO_STATUSES, type VideoStatus } from './video';

export const PAGE_SIZE = 24;

/** What the library shows: its filters, search and page, as kept in the page's URL. */
export interface LibraryQuery {
  q: string;
  status: VideoStatus | '';
  language: string;
  species: string;
  page: number;
}

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

const one = (p: Params, k: string): string => {
  const v = p instanceof URLSearchParams ? p.get(k) : p[k];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

/** From the page URL; anything unexpected is dropped rather than sent on. */
export function parseLibraryQuery(p: Params): LibraryQuery {
  const status = one(p, 'status');
  const page = Number.parseInt(one(p, 'page'), 10);
  return {
    q: one(p, 'q').slice(0, 200),
    status: (VIDEO_STATUSES as string[]).includes(status) ? (status as VideoStatus) : '',
    language: /^[a-z]{2}$/.test(one(p, 'language')) ? one(p, 'language') : '',
    species: /^[a-z ]{2,40}$/.test(one(p, 'species')) ? one(p, 'species') : '',
    page: Number.isFinite(page) && page > 0 ? Math.min(page, 10_000) : 1,
  };
}

/** The page URL's query string (empty values left out). */
export function libraryUrlQuery(q: LibraryQuery): string {
  const s = new URLSearchParams();
  if (q.q.trim()) s.set('q', q.q.trim());
  if (q.status) s.set('status', q.status);
  if (q.language) s.set('language', q.language);
  if (q.species) s.set('species', q.species);
  if (q.page > 1) s.set('page', String(q.page));
  return s.toString();
}

/** The list API's query string for this library view. */
export function listApiQuery(q: LibraryQuery): string {
  const s = new URLSearchParams();
  if (q.q.trim()) s.set('q', q.q.trim());
  if (q.status) s.set('status', q.status);
  if (q.language) s.set('language', q.language);
  if (q.species) s.set('species', q.species);
  s.set('limit', String(PAGE_SIZE));
  s.set('offset', String((q.page - 1) * PAGE_SIZE));
  return s.toString();
}
