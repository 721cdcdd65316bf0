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

/**
 * Videos catalogued before search existed get their words once, at start. Each round reads a
 * batch whole and then writes it in one bulk request: no cursor stays open across the writes, and
 * each written video leaves the filter, so the rounds end. On FerretDB 1.24 (SQLite) an update's
 * cost grows with the collection (seen: 80 ms per 6.5 KB video at 50 videos, 210 ms at 300), so a
 * large catalogue from before search takes minutes once; MongoDB finds each one by its _id index.
 */
export async function backfillSearchTerms(videos: Collection<Video>, batchSize = 200): Promise<number> {
  let n = 0;
  for (;;) {
    const batch = await videos
      .find({ titleTerms: { $exists: false } }, { projection: { title: 1, 'tasks.subtitle': 1 } })
      .limit(batchSize)
      .toArray();
    if (batch.length === 0) return n;
    const written = await videos.bulkWrite(
      batch.map((v) => {
        const subtitle = v.tasks?.subtitle;
        return {
          updateOne: {
            filter: { _id: v._id },
            update: {
              $set: {
                titleTerms: searchTerms(v.title ?? ''),
                transcriptTerms: subtitle?.status === 'done' ? transcriptTermsOf(subtitle.result) : [],
              },
            },
          },
        };
      }),
      { ordered: false },
    );
    // Nothing matched: the videos went away meanwhile (or cannot be written); never loop on them.
    if (written.matchedCount === 0) return n;
    n += written.modifiedCount;
  }
}
