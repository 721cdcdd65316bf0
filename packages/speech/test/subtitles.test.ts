import { describe, expect, it } from 'vitest';
import {
  buildCues,
  CUE_RULES,
  cleanSegments,
  isNonSpeech,
  toSrt,
  toWebVtt,
  wrapLines,
} from '../src/subtitles.js';
import { normaliseWords, wordErrorRate } from '../src/wer.js';
import { parseWebVtt, validateSrt } from './fixtures.js';

const long =
  'It is a truth universally acknowledged that a single man in possession of a good fortune must be in want of a wife, however little known the feelings or views of such a man may be on his first entering a neighbourhood.';

describe('cues', () => {
  const segments = [
    { start: 0.5, end: 12, text: long },
    { start: 12.1, end: 13, text: 'Yes.' },
    { start: 20, end: 21, text: ' [Music] ' },
    { start: 21, end: 22, text: '♪♪' },
    { start: 30, end: 31, text: 'Thank you.' },
    { start: 31.2, end: 32, text: 'Thank you.' },
  ];
  const cues = buildCues(segments);

  it('keeps lines ≤ 42 characters, ≤ 2 lines, ≤ 7 s, no overlaps, and a readable speed', () => {
    expect(cues.length).toBeGreaterThan(3);
    for (const [i, c] of cues.entries()) {
      expect(c.lines.length).toBeGreaterThan(0);
      expect(c.lines.length).toBeLessThanOrEqual(2);
      for (const l of c.lines) expect(l.length).toBeLessThanOrEqual(42);
      expect(c.end - c.start).toBeLessThanOrEqual(CUE_RULES.maxCueSeconds + 1e-9);
      expect(c.end).toBeGreaterThan(c.start);
      const next = cues[i + 1];
      if (next) expect(next.start).toBeGreaterThanOrEqual(c.end);
    }
    // Every word survives, in order.
    expect(normaliseWords(cues.map((c) => c.lines.join(' ')).join(' '))).toEqual(
      normaliseWords(`${long} Yes. Thank you.`),
    );
  });

  it('stretches a short cue into the silence after it so it can be read', () => {
    const yes = cues.find((c) => c.lines.join(' ') === 'Thank you.');
    expect(yes).toBeDefined();
    expect((yes?.end ?? 0) - (yes?.start ?? 0)).toBeGreaterThanOrEqual(CUE_RULES.minCueSeconds - 1e-9);
  });

  it('drops non-speech annotations and a repeated hallucination', () => {
    expect(isNonSpeech('[Music]')).toBe(true);
    expect(isNonSpeech('(applause)')).toBe(true);
    expect(isNonSpeech('♪')).toBe(true);
    expect(isNonSpeech('...')).toBe(true);
    expect(isNonSpeech('Music to my ears.')).toBe(false);
    expect(cleanSegments(segments).map((s) => s.text)).toEqual([long, 'Yes.', 'Thank you.']);
  });

  it('wraps at spaces and cuts only a word longer than a line', () => {
    expect(wrapLines('a '.repeat(30).trim(), 10).every((l) => l.length <= 10)).toBe(true);
    expect(wrapLines('x'.repeat(50), 42)).toEqual(['x'.repeat(42), 'x'.repeat(8)]);
  });

  it('writes WebVTT that a WebVTT parser accepts without errors', () => {
    const vtt = toWebVtt([...cues, { start: 40, end: 41, lines: ['a --> b <i>'] }]);
    const parsed = parseWebVtt(vtt);
    expect(parsed.errors).toEqual([]);
    expect(parsed.cues).toHaveLength(cues.length + 1);
  });

  it('writes SRT numbered from 1 with HH:MM:SS,mmm times', () => {
    const parsed = validateSrt(toSrt(cues));
    expect(parsed).toHaveLength(cues.length);
    expect(toSrt([{ start: 3661.5, end: 3662.25, lines: ['x'] }])).toBe(
      '1\n01:01:01,500 --> 01:01:02,250\nx\n',
    );
  });
});

describe('word error rate', () => {
  it('counts substitutions, insertions and deletions against the reference', () => {
    expect(wordErrorRate('the cat sat', 'The cat sat.')).toBe(0);
    expect(wordErrorRate('the cat sat', 'the dog sat')).toBeCloseTo(1 / 3);
    expect(wordErrorRate('the cat sat', 'the cat sat down')).toBeCloseTo(1 / 3);
    expect(wordErrorRate('the cat sat', 'cat')).toBeCloseTo(2 / 3);
  });
});
