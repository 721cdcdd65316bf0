import { createHash } from 'node:crypto';

export interface Answer {
  body: string;
  etag: string;
}

/**
 * Serialised list answers, reused while the read model has not moved: at tens of list
 * requests a second, most of them ask one of a few pages, and building and serialising
 * the same page again is most of what a list costs. Keyed by the parsed query, so
 * differently spelt URLs of one page share an entry; bounded, least recently used out.
 */
export class ListAnswers {
  private readonly answers = new Map<string, Answer & { version: number }>();

  constructor(private readonly max = 256) {}

  get(key: string, version: number, build: () => unknown): Answer {
    const hit = this.answers.get(key);
    if (hit && hit.version === version) {
      this.answers.delete(key);
      this.answers.set(key, hit);
      return hit;
    }
    const body = JSON.stringify(build());
    const etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`;
    this.answers.delete(key);
    this.answers.set(key, { body, etag, version });
    if (this.answers.size > this.max) this.answers.delete(this.answers.keys().next().value as string);
    return { body, etag };
  }
}
