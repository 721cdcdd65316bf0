import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  decodeRate,
  frameSignature,
  Sampler,
  shiftedDistance,
  signatureDistance,
} from '../src/domain/sampling.js';

const SIZE = 64;
const region = { x: 0, y: 0, w: SIZE, h: SIZE };

/** A frame with a bright square at (`x`, 16) on a dark background, optionally a flat grey. */
function picture(x: number, grey?: number): Uint8Array {
  const rgb = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    for (let c = 0; c < SIZE; c++) {
      const inside = c >= x && c < x + 24 && y >= 16 && y < 40;
      rgb.fill(grey ?? (inside ? 230 : 20), (y * SIZE + c) * 3, (y * SIZE + c) * 3 + 3);
    }
  return rgb;
}

const sig = (rgb: Uint8Array) => frameSignature(rgb, SIZE, region);

describe('frame signatures', () => {
  it('are equal for equal frames and far apart across a cut', () => {
    expect(signatureDistance(sig(picture(10)), sig(picture(10)))).toBe(0);
    expect(signatureDistance(sig(picture(10)), sig(picture(10, 200)))).toBeGreaterThan(0.3);
  });

  it('grow with motion', () => {
    const a = signatureDistance(sig(picture(10)), sig(picture(12)));
    const b = signatureDistance(sig(picture(10)), sig(picture(30)));
    expect(a).toBeLessThan(b);
  });
});

describe('smart sampling', () => {
  const run = (frames: Uint8Array[], fps: number, policy = DEFAULT_POLICY) => {
    const sampler = new Sampler(policy);
    const reasons = frames.map((f, k) => sampler.decide(k / fps, sig(f)));
    return { reasons, stats: sampler.stats };
  };

  it('looks once at a still shot, again only after maxSkipSec, and at every cut', () => {
    const still = Array.from({ length: 48 }, () => picture(10)); // 12 s at 4 fps
    const other = Array.from({ length: 8 }, () => picture(10, 200)); // a cut, 2 s
    const { reasons, stats } = run([...still, ...other], 4);
    const inferred = reasons.flatMap((r, k) => (r ? [[k / 4, r]] : []));
    expect(inferred).toEqual([
      [0, 'first'],
      [10, 'base'],
      [12, 'scene'],
    ]);
    expect(stats.framesDecoded).toBe(56);
    expect(stats.framesInferred).toBe(3);
    expect(stats.sceneChanges).toBe(1);
    expect(stats.nearDuplicatesSkipped).toBeGreaterThan(0);
  });

  it('looks again during motion once the picture changed enough', () => {
    const pan = Array.from({ length: 16 }, (_, k) => picture(2 + 3 * k)); // steady pan
    const { reasons } = run(pan, 4);
    const n = reasons.filter(Boolean).length;
    expect(n).toBeGreaterThan(2);
    expect(n).toBeLessThan(16);
  });

  it('fixed mode infers every decoded frame, decoded at the fixed rate', () => {
    const policy = { ...DEFAULT_POLICY, mode: 'fixed' as const, fps: 2 };
    expect(decodeRate(policy, 25)).toBe(2);
    const { reasons } = run([picture(1), picture(1), picture(1)], 2, policy);
    expect(reasons).toEqual(['fixed', 'fixed', 'fixed']);
  });

  it('never decodes faster than the video', () => {
    expect(decodeRate(DEFAULT_POLICY, 2)).toBe(2);
    expect(decodeRate(DEFAULT_POLICY, 30)).toBe(DEFAULT_POLICY.decodeFps);
  });
});

describe('cuts and camera moves', () => {
  /** A textured picture (vertical stripes of varying width), shifted right by `dx` pixels. */
  const stripes = (dx: number, seed = 1) => {
    const rgb = new Uint8Array(SIZE * SIZE * 3);
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++) {
        const v = Math.floor((x - dx + 64) * seed * 0.37 + y * 0.11) % 2 ? 220 : 30;
        rgb.fill(v, (y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3);
      }
    return rgb;
  };

  it('tells a fast pan (the picture moved) from a cut (the picture changed)', () => {
    const a = sig(stripes(0));
    const panned = sig(stripes(8)); // two signature cells
    expect(signatureDistance(a, panned)).toBeGreaterThan(DEFAULT_POLICY.sceneThreshold);
    expect(shiftedDistance(a, panned)).toBeLessThan(DEFAULT_POLICY.sceneThreshold);
    expect(shiftedDistance(a, sig(picture(10, 200)))).toBeGreaterThan(DEFAULT_POLICY.sceneThreshold);
    const sampler = new Sampler(DEFAULT_POLICY);
    sampler.decide(0, a);
    expect(sampler.decide(0.25, panned)).toBe('change');
    expect(sampler.stats.sceneChanges).toBe(0);
  });
});
