import { describe, expect, it } from 'vitest';

// The engine host's own module (plain ESM, as the host runs it).
const { fittedAudioCtx } = (await import(new URL('../host/audio-ctx.mjs', import.meta.url).href)) as {
  fittedAudioCtx: (samples: number) => number;
};

describe("the encoder's size for a piece of audio", () => {
  it.each([[0.1], [5.4], [5.8], [10.4], [15.4], [17.2], [24], [28]])(
    '%s s: the audio plus a margin, a multiple of 16 frames (llamafile float16 attention)',
    (seconds) => {
      const frames = fittedAudioCtx(Math.round(seconds * 16000));
      expect(frames % 16).toBe(0);
      expect(frames).toBeGreaterThanOrEqual(Math.max(256, seconds * 50 + 64));
      expect(frames).toBeLessThan(Math.max(256, seconds * 50 + 64) + 16);
    },
  );

  it("never goes beyond Whisper's 30 s (1500 frames)", () => {
    expect(fittedAudioCtx(30 * 16000)).toBe(1500);
    expect(fittedAudioCtx(29.5 * 16000)).toBe(1500);
  });
});
