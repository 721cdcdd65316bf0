import type { Collection } from 'mongodb';
import type { Video } from '../domain/model.js';
import { searchTerms, transcriptTermsOf } from '../domain/search-terms.js';

/**
 * Search over titles and transcripts: each video stores the distinct words of its title and
 * of its subtitles in two arrays with a (multikey) index each; a query asks that every word of
 * the search box be in one or the other. Plain arrays rather than a `$text` index, because the
 * local MongoDB-wire server (FerretDB 1.24) has no text indexes; a real MongoDB serves the same
 * queries from the same indexes. The query itself is the `q` filter in domain/list-query.ts.
 */
export async function ensureSearchIndexes(videos: Collection<Video>): Promise<void> {
  await videos.createIndex({ titleTerms: 1 });
  await videos.createIndex({ transcriptTerms: 1 });
}

/** Videos catalogued before search existed get their words once, at start. */
export async function backfillSearchTerms(videos: Collection<Video>): Promise<number> {
  let n = 0;
  for await (const v of videos.find({ titleTerms: { $exists: false } }).limit(10_000)) {
    const subtitle = v.tasks.subtitle;
    await videos.updateOne(
      { _id: v._id },
      {
        $set: {
          titleTerms: searchTerms(v.title),
          transcriptTerms: subtitle?.status === 'done' ? transcriptTermsOf(subtitle.result) : [],
        },
      },
    );
    n++;
  }
  return n;
}
