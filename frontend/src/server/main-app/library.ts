import { type LibraryQuery, listApiQuery } from '@/shared/library-query';
import type { LibraryPage } from '@/shared/video';
import { toCard } from './cards';
import { mainAppJson } from './invoke';

/** One page of the library as cards, read from main-app (server-side first render). */
export async function libraryPage(q: LibraryQuery): Promise<LibraryPage> {
  const body = await mainAppJson<{
    items: Record<string, unknown>[];
    total: number;
    limit: number;
    offset: number;
  }>(`/api/videos?${listApiQuery(q)}`);
  return { ...body, items: body.items.map(toCard) };
}
