import type { Filter } from 'mongodb';
import type { Video, VideoStatus } from './model.js';
import { queryTerms } from './search-terms.js';
import type { VideoRow } from './video-row.js';

/** `GET /api/videos`: filters, then newest or oldest first, then a page. */
export interface ListQuery {
  status?: VideoStatus;
  language?: string;
  species?: string;
  /** Words to find in the title or the transcript. */
  q?: string;
  sort: 'newest' | 'oldest';
  limit: number;
  offset: number;
}

export type FilterName = Exclude<keyof ListQuery, 'sort' | 'limit' | 'offset'>;

/**
 * One list filter, said twice: as a MongoDB condition (with an index behind it, see
 * `Catalog.init`) and as a test on a row for the in-memory read model. A filter without
 * `matches` is answered by the database only. A new filter is one more entry here (and
 * its query parameter in routes/schemas.ts).
 */
export interface ListFilter {
  name: FilterName;
  mongo(value: string): Filter<Video>;
  matches?(row: VideoRow, value: string): boolean;
}

export const LIST_FILTERS: ListFilter[] = [
  {
    name: 'status',
    mongo: (v) => ({ status: v as VideoStatus }),
    matches: (r, v) => r.status === v,
  },
  {
    name: 'language',
    mongo: (v) => ({ detectedLanguage: v }),
    matches: (r, v) => r.detectedLanguage === v,
  },
  {
    name: 'species',
    mongo: (v) => ({ species: v }),
    matches: (r, v) => r.species?.includes(v) ?? false,
  },
  {
    // Every word in the title's or the transcript's words; the last one as a prefix (search as you type).
    name: 'q',
    mongo: (v) => {
      const terms = queryTerms(v);
      if (!terms.length) return { _id: { $in: [] } };
      const last = terms.length - 1;
      return {
        $and: terms.map((t, i) => {
          const match = i === last ? { $regex: `^${escapeRegex(t)}` } : t;
          return { $or: [{ titleTerms: match }, { transcriptTerms: match }] } as Filter<Video>;
        }),
      };
    },
    matches: (r, v) => {
      const terms = queryTerms(v);
      if (!terms.length) return false;
      const words = wordsOf(r);
      const last = terms.length - 1;
      return terms.every((t, i) => (i === last ? [...words].some((w) => w.startsWith(t)) : words.has(t)));
    },
  },
];

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A row's searchable words as one set, made once per row object (rows are replaced, not changed). */
const wordSets = new WeakMap<VideoRow, Set<string>>();
function wordsOf(r: VideoRow): Set<string> {
  let set = wordSets.get(r);
  if (!set) {
    set = new Set([...(r.titleTerms ?? []), ...(r.transcriptTerms ?? [])]);
    wordSets.set(r, set);
  }
  return set;
}

/** The filters a query uses, with their values. */
export function activeFilters(q: ListQuery): { filter: ListFilter; value: string }[] {
  return LIST_FILTERS.flatMap((filter) => {
    const value = q[filter.name];
    return value === undefined ? [] : [{ filter, value: String(value) }];
  });
}

export function mongoFilter(q: ListQuery): Filter<Video> {
  const parts = activeFilters(q).map(({ filter, value }) => filter.mongo(value));
  return parts.length === 0 ? {} : parts.length === 1 ? (parts[0] as Filter<Video>) : { $and: parts };
}

/** Creation time, then id: a total order, so pages never overlap or skip. */
export function mongoSort(q: ListQuery): { createdAt: 1 | -1; _id: 1 | -1 } {
  const dir = q.sort === 'newest' ? -1 : 1;
  return { createdAt: dir, _id: dir };
}

/** The same order as `mongoSort` (MongoDB compares these ASCII strings byte by byte). */
export function compareRows(sort: ListQuery['sort']): (a: VideoRow, b: VideoRow) => number {
  const dir = sort === 'newest' ? -1 : 1;
  return (a, b) => {
    if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -dir : dir;
    if (a._id !== b._id) return a._id < b._id ? -dir : dir;
    return 0;
  };
}

/** Whether every filter of the query can be answered from rows in memory. */
export function answerableInMemory(q: ListQuery): boolean {
  return activeFilters(q).every(({ filter }) => filter.matches !== undefined);
}

/**
 * A page of rows already sorted oldest first. The caller checks `answerableInMemory`.
 */
export function pageOfRows(oldestFirst: VideoRow[], q: ListQuery): { items: VideoRow[]; total: number } {
  const tests = activeFilters(q);
  const keep = (r: VideoRow) => tests.every(({ filter, value }) => filter.matches?.(r, value) ?? false);
  const items: VideoRow[] = [];
  let total = 0;
  const n = oldestFirst.length;
  for (let i = 0; i < n; i++) {
    const row = oldestFirst[q.sort === 'newest' ? n - 1 - i : i] as VideoRow;
    if (!keep(row)) continue;
    if (total >= q.offset && items.length < q.limit) items.push(row);
    total++;
  }
  return { items, total };
}
