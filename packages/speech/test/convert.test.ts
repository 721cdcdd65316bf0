import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  convertCt2ToGgml,
  floatToHalf,
  halfToFloat,
  quantizeQ5_1,
  quantizeQ8_0,
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

  it("quantises to ggml's q8_0 and q5_1 blocks, within half a step of the values", () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.7) * (i % 7) * 0.1);
    const q8 = quantizeQ8_0(x);
    expect(q8.length).toBe(2 * 34);
    const q5 = quantizeQ5_1(x);
    expect(q5.length).toBe(2 * 24);
    for (let b = 0; b < 2; b++) {
      const block = x.subarray(b * 32, b * 32 + 32);
      const d8 = halfToFloat(q8.readUInt16LE(b * 34));
      const d5 = halfToFloat(q5.readUInt16LE(b * 24));
      const m5 = halfToFloat(q5.readUInt16LE(b * 24 + 2));
      const qh = q5.readUInt32LE(b * 24 + 4);
      for (let j = 0; j < 32; j++) {
        expect(Math.abs(q8.readInt8(b * 34 + 2 + j) * d8 - (block[j] as number))).toBeLessThanOrEqual(
          d8 * 0.51,
        );
        const nibble = (q5[b * 24 + 8 + (j % 16)] as number) >> (j < 16 ? 0 : 4);
        const q = (nibble & 0x0f) | (((qh >>> j) & 1) << 4);
        expect(Math.abs(q * d5 + m5 - (block[j] as number))).toBeLessThanOrEqual(d5 * 0.51 + 1e-3);
      }
    }
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(/multiples of 32/);
  });

  it('writes the quantised type into the header and each weight matrix, nothing else', async () => {
    const d = 32;
    const fill = (n: number, v = 0.25) => Array.from({ length: n }, (_, i) => v * ((i % 5) - 2));
    const vars = [
      { name: 'encoder/conv1/weight', shape: [d, 1, 3], values: fill(d * 3) },
      { name: 'encoder/conv1/bias', shape: [d], values: fill(d) },
      { name: 'encoder/conv2/weight', shape: [d, d, 3], values: fill(d * d * 3) },
      { name: 'encoder/conv2/bias', shape: [d], values: fill(d) },
      { name: 'encoder/position_encodings/encodings', shape: [3, d], values: fill(3 * d) },
      { name: 'encoder/layer_norm/gamma', shape: [d], values: fill(d, 1) },
      { name: 'encoder/layer_norm/beta', shape: [d], values: fill(d) },
      { name: 'decoder/embeddings/weight', shape: [4, d], values: fill(4 * d) },
      { name: 'decoder/position_encodings/encodings', shape: [2, d], values: fill(2 * d) },
      { name: 'decoder/layer_norm/gamma', shape: [d], values: fill(d, 1) },
      { name: 'decoder/layer_norm/beta', shape: [d], values: fill(d) },
    ];
    const out = join(dir, 'tiny-q8.bin');
    convertCt2ToGgml(
      ct2(vars),
      JSON.stringify({ model: { vocab: { a: 0, b: 1, '<|endoftext|>': 2 } } }),
      out,
      'q8_0',
    );
    const bin = await readFile(out);
    expect(bin.readInt32LE(44)).toBe(2007); // ftype: quantisation version 2, q8_0
    // Tensor types in file order: conv1 w (f16), conv1 b, pos, conv2 w (f16), conv2 b, ln ×2,
    // decoder pos (f32), token embedding (q8_0 = 8), ln ×2.
    const types: Record<string, number> = {};
    const nMel = bin.readInt32LE(48);
    const nFft = bin.readInt32LE(52);
    let off = 56 + nMel * nFft * 4;
    const nTok = bin.readInt32LE(off);
    off += 4;
    for (let i = 0; i < nTok; i++) off += 4 + bin.readInt32LE(off);
    while (off < bin.length) {
      const dims = bin.readInt32LE(off);
      const nameLen = bin.readInt32LE(off + 4);
      const ttype = bin.readInt32LE(off + 8);
      const shape = Array.from({ length: dims }, (_, k) => bin.readInt32LE(off + 12 + 4 * k));
      const name = bin.toString('utf8', off + 12 + 4 * dims, off + 12 + 4 * dims + nameLen);
      types[name] = ttype;
      const n = shape.reduce((a, b) => a * b, 1);
      const bytes = ttype === 0 ? n * 4 : ttype === 1 ? n * 2 : (n / 32) * 34;
      off += 12 + 4 * dims + nameLen + bytes;
    }
    expect(types).toMatchObject({
      'encoder.conv1.weight': 1,
      'encoder.conv1.bias': 0,
      'encoder.positional_embedding': 0,
      'decoder.positional_embedding': 0,
      'decoder.token_embedding.weight': 8,
      'decoder.ln.weight': 0,
    });
  });

  it('refuses a model that is not Whisper', () => {
    const other = ct2([]);
    other.write('WhisperSpez', 6);
    expect(() => convertCt2ToGgml(other, '{"model":{"vocab":{}}}', join(dir, 'x.bin'))).toThrow(
      /not a Whisper model/,
    );
  });
});
