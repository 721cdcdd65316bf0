import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  convertCt2ToGgml,
  floatToHalf,
  halfToFloat,
  readCt2Model,
  slaneyMelFilters,
  whisperTokens,
} from '../src/ct2-to-ggml.js';

/** A CTranslate2 model file (binary version 6) written by hand: the format the converter reads. */
function ct2(
  vars: Array<{ name: string; shape: number[]; values: number[] }>,
  aliases: Array<[string, string]> = [],
) {
  const parts: Buffer[] = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    parts.push(b);
  };
  const str = (s: string) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(s.length + 1);
    parts.push(b, Buffer.from(s), Buffer.from([0]));
  };
  u32(6);
  str('WhisperSpec');
  u32(3);
  u32(vars.length);
  for (const v of vars) {
    str(v.name);
    parts.push(Buffer.from([v.shape.length]));
    for (const d of v.shape) u32(d);
    parts.push(Buffer.from([4]));
    const data = Buffer.alloc(v.values.length * 2);
    v.values.forEach((x, i) => {
      data.writeUInt16LE(floatToHalf(x), i * 2);
    });
    u32(data.length);
    parts.push(data);
  }
  u32(aliases.length);
  for (const [a, t] of aliases) {
    str(a);
    str(t);
  }
  return Buffer.concat(parts);
}

describe('CTranslate2 → ggml conversion', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vidp-ct2-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('converts half floats both ways', () => {
    for (const x of [0, 1, -2, 0.5, 65504, 1e-5, Math.PI]) {
      expect(halfToFloat(floatToHalf(x))).toBeCloseTo(x, x < 1e-3 ? 6 : 2);
    }
  });

  it("builds Whisper's Slaney mel bank: 80 triangular filters over 201 bins", () => {
    const f = slaneyMelFilters();
    expect(f).toHaveLength(80);
    expect(f[0]).toHaveLength(201);
    // librosa's first filter peaks at bin 1 with 2/(f2-f0) · 1 = 0.02486…
    expect(f[0]?.[1]).toBeCloseTo(0.024862, 5);
    for (const row of f) expect(Math.max(...row)).toBeGreaterThan(0);
  });

  it('maps byte-level BPE tokens back to bytes, stopping at <|endoftext|>', () => {
    const tokens = whisperTokens(
      JSON.stringify({ model: { vocab: { '!': 0, Ġthe: 1, 'Ã©': 2, '<|endoftext|>': 3 } } }),
    );
    expect(tokens.map((t) => [...t])).toEqual([[33], [32, 116, 104, 101], [0xc3, 0xa9]]);
  });

  it('reads variables and aliases, and splits fused attention into query/key/value', async () => {
    const d = 2;
    const vars = [
      { name: 'encoder/conv1/weight', shape: [d, 1, 3], values: [1, 2, 3, 4, 5, 6] },
      { name: 'encoder/conv1/bias', shape: [d], values: [0.5, 0.25] },
      { name: 'encoder/conv2/weight', shape: [d, d, 3], values: Array(12).fill(1) },
      { name: 'encoder/conv2/bias', shape: [d], values: [0, 0] },
      { name: 'encoder/position_encodings/encodings', shape: [3, d], values: [1, 2, 3, 4, 5, 6] },
      { name: 'encoder/layer_norm/gamma', shape: [d], values: [1, 1] },
      { name: 'encoder/layer_norm/beta', shape: [d], values: [0, 0] },
      { name: 'decoder/embeddings/weight', shape: [4, d], values: Array(8).fill(0.5) },
      { name: 'decoder/position_encodings/encodings', shape: [2, d], values: [1, 1, 1, 1] },
      { name: 'decoder/layer_norm/gamma', shape: [d], values: [1, 1] },
      { name: 'decoder/layer_norm/beta', shape: [d], values: [0, 0] },
    ];
    const file = ct2(vars, [['decoder/projection/weight', 'decoder/embeddings/weight']]);
    const model = readCt2Model(file);
    expect(model.spec).toBe('WhisperSpec');
    expect(model.variables.get('decoder/projection/weight')?.shape).toEqual([4, d]);
    const out = join(dir, 'tiny.bin');
    const n = convertCt2ToGgml(
      file,
      JSON.stringify({ model: { vocab: { a: 0, b: 1, '<|endoftext|>': 2 } } }),
      out,
    );
    // No layers: conv ×4, positional ×2, ln_post ×2, token embedding, decoder ln ×2.
    expect(n).toBe(11);
    const bin = await readFile(out);
    expect(bin.readUInt32LE(0)).toBe(0x67676d6c);
    // n_vocab, n_audio_ctx, n_audio_state from the shapes.
    expect([bin.readInt32LE(4), bin.readInt32LE(8), bin.readInt32LE(12)]).toEqual([4, 3, d]);
  });

  it('refuses a model that is not Whisper', () => {
    const other = ct2([]);
    other.write('WhisperSpez', 6);
    expect(() => convertCt2ToGgml(other, '{"model":{"vocab":{}}}', join(dir, 'x.bin'))).toThrow(
      /not a Whisper model/,
    );
  });
});
