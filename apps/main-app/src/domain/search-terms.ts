/** Words shorter than this are not indexed (articles, "a", "I"). */
const MIN_TERM = 2;
/** A long transcript's vocabulary is kept up to this many distinct words. */
const MAX_TERMS = 5000;
const MAX_QUERY_TERMS = 8;

/** Lower-case words without accents: "Ask not what YOUR country" → ask, not, what, your, country. */
function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= MIN_TERM);
}

/** The distinct words of a title or a transcript, as stored for search. */
export function searchTerms(text: string | undefined | null): string[] {
  if (!text) return [];
  return [...new Set(words(text))].slice(0, MAX_TERMS);
}

/** The words of a search box; every one must be found (in the title or the transcript). */
export function queryTerms(q: string): string[] {
  return [...new Set(words(q))].slice(0, MAX_QUERY_TERMS);
}

/** A subtitle result's words (its `text`: every cue, in order). */
export function transcriptTermsOf(result: unknown): string[] {
  const text = (result as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? searchTerms(text) : [];
}
