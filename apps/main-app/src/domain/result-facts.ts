import type { TaskName } from '@vidp/contracts';
import type { Video } from './model.js';
import { transcriptTermsOf } from './search-terms.js';

type Json = Record<string, unknown>;

/** ISO 639-1 code from langscale's `language` (a code or `{ code }`); undefined for "no speech". */
function languageCode(result: Json): string | undefined {
  const lang = result.language;
  const code = typeof lang === 'string' ? lang : (lang as Json | null)?.code;
  return typeof code === 'string' && /^[a-z]{2}$/.test(code) ? code : undefined;
}

/**
 * Species names from animal-detect's `appearances`; an appearance whose frames disagreed is
 * `animal` (ANIMAL_LABEL), indexed as such, so `?species=animal` finds the uncertain ones.
 */
function species(result: Json): string[] {
  const list = Array.isArray(result.appearances) ? (result.appearances as Json[]) : [];
  const names = list.map((a) => a.species).filter((s): s is string => typeof s === 'string');
  return [...new Set(names)].sort();
}

/** Facts from a task's result that the catalog indexes for filtering. */
export function resultFacts(task: TaskName, result: unknown): Partial<Video> {
  if (!result || typeof result !== 'object') return {};
  const r = result as Json;
  if (task === 'langscale') {
    const code = languageCode(r);
    return code ? { detectedLanguage: code } : {};
  }
  if (task === 'animal-detect') return { species: species(r) };
  if (task === 'subtitle') return { transcriptTerms: transcriptTermsOf(r) };
  return {};
}
