import { describe, expect, it } from 'vitest';
import { parseSubtitleFields } from '../src/routes/options.js';

const known = ['en', 'fr', 'de'];

describe('subtitle fields', () => {
  it('accepts a known language (any case), auto, and translate', () => {
    expect(parseSubtitleFields({}, known)).toEqual({ translate: false });
    expect(parseSubtitleFields({ language: 'FR', translate: 'true' }, known)).toEqual({
      language: 'fr',
      translate: true,
    });
    expect(parseSubtitleFields({ language: 'auto' }, known)).toEqual({
      language: undefined,
      translate: false,
    });
  });

  it.each([
    [{ language: 'xx' }, /language must be a language code/],
    [{ language: 'english' }, /language must be a language code/],
    [{ translate: '1' }, /"true" or "false"/],
    [{ lang: 'en' }, /unknown field/],
  ])('refuses %o with a clear 400', (fields, message) => {
    expect(() => parseSubtitleFields(fields as Record<string, string>, known)).toThrow(message);
  });
});
