import { describe, expect, it } from 'vitest';
import { combine, planWindows, windowOrder } from '../src/domain/detect-language.js';
import { parseDetectFields } from '../src/routes/options.js';

describe('analysis windows', () => {
  it('spreads several windows of at most 30 s across the speech', () => {
    const plan = planWindows(600, 60);
    expect(plan.length).toBeGreaterThan(1);
    expect(plan.every((w) => w.length <= 30)).toBe(true);
    expect(plan.reduce((s, w) => s + w.length, 0)).toBeCloseTo(60);
    expect(plan[0]?.from).toBe(0);
    expect((plan[plan.length - 1]?.from ?? 0) + (plan[plan.length - 1]?.length ?? 0)).toBeCloseTo(600);
  });

  it('uses all the speech when there is less than asked for', () => {
    expect(planWindows(11, 30)).toEqual([{ from: 0, length: 11 }]);
    expect(planWindows(2, 30)).toEqual([{ from: 0, length: 2 }]);
  });

  it('never cuts windows shorter than a few seconds', () => {
    for (const w of planWindows(100, 12)) expect(w.length).toBeGreaterThanOrEqual(3);
  });

  it("the seed's 30 s asks for three 10 s windows, first and last looked at first", () => {
    const plan = planWindows(49, 30);
    expect(plan.map((w) => w.length)).toEqual([10, 10, 10]);
    expect(plan.map((w) => w.from)).toEqual([0, 19.5, 39]);
    expect(windowOrder(3)).toEqual([0, 2, 1]);
    expect(windowOrder(6)).toEqual([0, 5, 1, 2, 3, 4]);
    expect(windowOrder(1)).toEqual([0]);
  });
});

describe('combining windows', () => {
  it('weights each window by its seconds of speech, and the result sums to 1', () => {
    const ranked = combine([
      { seconds: 10, probabilities: { en: 0.9, de: 0.1 } },
      { seconds: 30, probabilities: { en: 0.5, de: 0.3, nl: 0.2 } },
    ]);
    expect(ranked[0]?.[0]).toBe('en');
    expect(ranked[0]?.[1]).toBeCloseTo((0.9 * 10 + 0.5 * 30) / 40);
    expect(ranked.reduce((s, [, p]) => s + p, 0)).toBeCloseTo(1);
    expect(ranked.map(([c]) => c)).toEqual(['en', 'de', 'nl']);
  });
});

describe('detect fields (the existing client contract)', () => {
  it('defaults to 30 s and no language list', () => {
    expect(parseDetectFields({})).toEqual({ duration: 30, test_all_languages: false });
    expect(parseDetectFields({ duration: '12.5', test_all_languages: 'true' })).toEqual({
      duration: 12.5,
      test_all_languages: true,
    });
  });

  it.each([
    [{ duration: 'abc' }, /duration must be a number/],
    [{ duration: '0' }, /at least 1/],
    [{ duration: '601' }, /at most 600/],
    [{ test_all_languages: 'yes' }, /"true" or "false"/],
    [{ durations: '30' }, /unknown field/],
  ])('refuses %o with a clear 400', (fields, message) => {
    expect(() => parseDetectFields(fields as Record<string, string>)).toThrow(message);
    try {
      parseDetectFields(fields as Record<string, string>);
    } catch (err) {
      expect((err as { status: number }).status).toBe(400);
    }
  });
});
