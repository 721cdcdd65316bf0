import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPcm, readPcmRanges, SAMPLE_RATE } from '../src/audio.js';
import { detectSpeech, frameEnergies, speechSeconds, speechTimeToRanges } from '../src/vad.js';

/** Bursts of amplitude-modulated noise (speech-like syllables) between silences. */
function bursts(spec: Array<[number, number]>, seconds: number): Float32Array {
  const pcm = new Float32Array(seconds * SAMPLE_RATE);
  let seed = 1;
  const rnd = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  for (let i = 0; i < pcm.length; i++) {
    const t = i / SAMPLE_RATE;
    const on = spec.some(([a, b]) => t >= a && t < b);
    pcm[i] = on ? 0.3 * rnd() * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t)) : 0.0005 * rnd();
  }
  return pcm;
}

describe('voice activity', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidp-vad-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, pcm: Float32Array) => {
    const path = join(dir, name);
    await writeFile(path, Buffer.from(pcm.buffer));
    return path;
  };

  it('finds the voiced parts, bridging short gaps and padding the edges', async () => {
    const path = await file(
      'bursts.f32',
      bursts(
        [
          [1, 2],
          [2.2, 3],
          [5, 6.5],
        ],
        8,
      ),
    );
    const regions = detectSpeech(await frameEnergies(path));
    expect(regions).toHaveLength(2);
    expect(regions[0]?.start).toBeCloseTo(0.85, 1);
    expect(regions[0]?.end).toBeCloseTo(3.15, 1);
    expect(regions[1]?.start).toBeCloseTo(4.85, 1);
    expect(speechSeconds(regions)).toBeGreaterThan(3.5);
  });

  it('finds nothing in silence or in a steady tone', async () => {
    expect(
      detectSpeech(await frameEnergies(await file('silence.f32', new Float32Array(SAMPLE_RATE * 3)))),
    ).toEqual([]);
    const tone = Float32Array.from(
      { length: SAMPLE_RATE * 3 },
      (_, i) => 0.2 * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE),
    );
    expect(detectSpeech(await frameEnergies(await file('tone.f32', tone)))).toEqual([]);
  });

  it('maps speech-only time back to file time across the silences', () => {
    const regions = [
      { start: 1, end: 3 },
      { start: 10, end: 11 },
    ];
    expect(speechTimeToRanges(regions, 1.5, 1)).toEqual([
      { start: 2.5, end: 3 },
      { start: 10, end: 10.5 },
    ]);
    expect(speechTimeToRanges(regions, 0, 10)).toEqual(regions);
  });

  it('reads only the sample ranges asked for', async () => {
    const pcm = Float32Array.from({ length: 100 }, (_, i) => i);
    const path = await file('ramp.f32', pcm);
    expect([...(await readPcm(path, 10, 13))]).toEqual([10, 11, 12]);
    expect([
      ...(await readPcmRanges(path, [
        [0, 2],
        [98, 200],
      ])),
    ]).toEqual([0, 1, 98, 99]);
  });
});
