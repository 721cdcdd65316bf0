/**
 * Converts a CTranslate2 Whisper model (the faster-whisper layout: model.bin, tokenizer.json) into the
 * ggml file whisper.cpp loads. Pure data work, offline: the CTranslate2 binary format (version 6) is
 * read variable by variable, the fused attention projections are split back into query/key/value,
 * tensors are written in whisper.cpp's legacy ggml layout (2-D and larger as float16, the rest float32),
 * with the Slaney mel filter bank and the byte-level BPE vocabulary whisper.cpp expects. The weight
 * matrices can instead be quantised to ggml's q8_0 or q5_1 blocks (as whisper.cpp's own quantiser
 * does: every 2-D weight, convolutions and positional embeddings kept as they are).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const GGML_MAGIC = 0x67676d6c;
const CT2_FLOAT32 = 0;
const CT2_FLOAT16 = 4;

/** Weight formats the converter writes: ggml tensor type and file ftype (with quantisation version 2). */
export const GGML_WEIGHT_TYPES = {
  f16: { tensorType: 1, ftype: 1 },
  q8_0: { tensorType: 8, ftype: 2000 + 7 },
  q5_1: { tensorType: 7, ftype: 2000 + 9 },
} as const;
export type GgmlWeightType = keyof typeof GGML_WEIGHT_TYPES;
const QK = 32;

interface Ct2Variable {
  shape: number[];
  dtype: number;
  data: Buffer;
}

export interface Ct2Model {
  spec: string;
  variables: Map<string, Ct2Variable>;
}

/** Parses a CTranslate2 model.bin (binary version 5 or 6). */
export function readCt2Model(buf: Buffer): Ct2Model {
  let off = 0;
  const u8 = () => buf.readUInt8(off++);
  const u16 = () => {
    const v = buf.readUInt16LE(off);
    off += 2;
    return v;
  };
  const u32 = () => {
    const v = buf.readUInt32LE(off);
    off += 4;
    return v;
  };
  const str = () => {
    const n = u16();
    const s = buf.toString('utf8', off, off + n - 1);
    off += n;
    return s;
  };
  const version = u32();
  if (version < 5 || version > 6) throw new Error(`unsupported CTranslate2 binary version ${version}`);
  const spec = str();
  u32(); // spec revision
  const count = u32();
  const variables = new Map<string, Ct2Variable>();
  for (let i = 0; i < count; i++) {
    const name = str();
    const rank = u8();
    const shape: number[] = [];
    for (let r = 0; r < rank; r++) shape.push(u32());
    const dtype = u8();
    const bytes = u32();
    variables.set(name, { shape, dtype, data: buf.subarray(off, off + bytes) });
    off += bytes;
  }
  const aliases = u32();
  for (let i = 0; i < aliases; i++) {
    const alias = str();
    const target = str();
    const v = variables.get(target);
    if (v) variables.set(alias, v);
  }
  if (off !== buf.length) throw new Error(`trailing bytes in CTranslate2 model (${buf.length - off})`);
  return { spec, variables };
}

/** IEEE 754 half → single precision. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Single → half precision (round to nearest even), enough for weights. */
export function floatToHalf(val: number): number {
  const f32 = new Float32Array([val]);
  const x = new Uint32Array(f32.buffer)[0] as number;
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant = (mant | 0x800000) >> (1 - exp);
    if (mant & 0x1000) mant += 0x2000;
    return sign | (mant >> 13);
  }
  if (mant & 0x1000) {
    mant += 0x2000;
    if (mant & 0x800000) {
      mant = 0;
      exp += 1;
      if (exp >= 31) return sign | 0x7c00;
    }
  }
  return sign | (exp << 10) | (mant >> 13);
}

function toFloat32(v: Ct2Variable): Float32Array {
  const n = v.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (v.dtype === CT2_FLOAT32) {
    for (let i = 0; i < n; i++) out[i] = v.data.readFloatLE(i * 4);
  } else if (v.dtype === CT2_FLOAT16) {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(v.data.readUInt16LE(i * 2));
  } else {
    throw new Error(`unsupported CTranslate2 dtype ${v.dtype} (only float16/float32 models convert)`);
  }
  return out;
}

function toFloat16Bytes(v: Ct2Variable, rowStart = 0, rowCount?: number): Buffer {
  const rowLen = v.shape.slice(1).reduce((a, b) => a * b, 1);
  const rows = rowCount ?? (v.shape[0] ?? 1) - rowStart;
  const n = rows * rowLen;
  if (v.dtype === CT2_FLOAT16) {
    return Buffer.from(v.data.subarray(rowStart * rowLen * 2, (rowStart * rowLen + n) * 2));
  }
  const all = toFloat32(v);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeUInt16LE(floatToHalf(all[rowStart * rowLen + i] as number), i * 2);
  return out;
}

/** ggml's q8_0: blocks of 32 as a float16 scale and 32 signed bytes (ggml-quants.c reference). */
export function quantizeQ8_0(x: Float32Array): Buffer {
  if (x.length % QK) throw new Error(`q8_0 needs rows in multiples of ${QK}`);
  const out = Buffer.alloc((x.length / QK) * 34);
  for (let b = 0; b < x.length / QK; b++) {
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[b * QK + j] as number));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    out.writeUInt16LE(floatToHalf(d), b * 34);
    for (let j = 0; j < QK; j++) out[b * 34 + 2 + j] = roundAway((x[b * QK + j] as number) * id) & 0xff;
  }
  return out;
}

/** ggml's q5_1: blocks of 32 as float16 scale and minimum, 32 high bits, 16 bytes of low nibbles. */
export function quantizeQ5_1(x: Float32Array): Buffer {
  if (x.length % QK) throw new Error(`q5_1 needs rows in multiples of ${QK}`);
  const out = Buffer.alloc((x.length / QK) * 24);
  for (let b = 0; b < x.length / QK; b++) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < QK; j++) {
      const v = x[b * QK + j] as number;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const d = (max - min) / 31;
    const id = d ? 1 / d : 0;
    const o = b * 24;
    out.writeUInt16LE(floatToHalf(d), o);
    out.writeUInt16LE(floatToHalf(min), o + 2);
    let qh = 0;
    for (let j = 0; j < QK / 2; j++) {
      const x0 = Math.trunc(((x[b * QK + j] as number) - min) * id + 0.5);
      const x1 = Math.trunc(((x[b * QK + QK / 2 + j] as number) - min) * id + 0.5);
      out[o + 8 + j] = (x0 & 0x0f) | ((x1 & 0x0f) << 4);
      qh |= ((x0 & 0x10) >> 4) << j;
      qh |= ((x1 & 0x10) >> 4) << (j + QK / 2);
    }
    out.writeUInt32LE(qh >>> 0, o + 4);
  }
  return out;
}

let halves: Float32Array | undefined;
/** Every float16 value as float32 (quantising reads ~70 M of them). */
function halfTable(): Float32Array {
  if (!halves) {
    halves = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halves[h] = halfToFloat(h);
  }
  return halves;
}

/** C's roundf: halves away from zero. */
function roundAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** librosa.filters.mel(sr, n_fft, n_mels) with Slaney scale and norm, as in Whisper's mel_filters.npz. */
export function slaneyMelFilters(sampleRate = 16000, nFft = 400, nMels = 80): Float32Array[] {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  const hzToMel = (f: number) => (f >= minLogHz ? minLogMel + Math.log(f / minLogHz) / logStep : f / fSp);
  const melToHz = (m: number) => (m >= minLogMel ? minLogHz * Math.exp(logStep * (m - minLogMel)) : fSp * m);
  const nFreq = 1 + Math.floor(nFft / 2);
  const fftFreqs = Array.from({ length: nFreq }, (_, i) => (i * sampleRate) / 2 / (nFreq - 1));
  const maxMel = hzToMel(sampleRate / 2);
  const melF = Array.from({ length: nMels + 2 }, (_, i) => melToHz((i * maxMel) / (nMels + 1)));
  const filters: Float32Array[] = [];
  for (let i = 0; i < nMels; i++) {
    const row = new Float32Array(nFreq);
    const lo = melF[i] as number;
    const mid = melF[i + 1] as number;
    const hi = melF[i + 2] as number;
    const enorm = 2 / (hi - lo);
    for (let j = 0; j < nFreq; j++) {
      const f = fftFreqs[j] as number;
      const lower = (f - lo) / (mid - lo);
      const upper = (hi - f) / (hi - mid);
      row[j] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
    filters.push(row);
  }
  return filters;
}

/** GPT-2's byte ↔ printable-unicode table, inverted: token string → raw bytes. */
function byteDecoder(): Map<string, number> {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const map = new Map<string, number>();
  for (const [i, b] of bs.entries()) map.set(String.fromCodePoint(cs[i] as number), b);
  return map;
}

/** The regular (non-special) tokens as raw bytes, in id order, from a Hugging Face tokenizer.json. */
export function whisperTokens(tokenizerJson: string): Buffer[] {
  const parsed = JSON.parse(tokenizerJson) as { model?: { vocab?: Record<string, number> } };
  const vocab = parsed.model?.vocab;
  if (!vocab) throw new Error('tokenizer.json has no model.vocab');
  const dec = byteDecoder();
  const byId: Buffer[] = [];
  // Whisper's regular vocabulary ends where <|endoftext|> begins.
  const eot = vocab['<|endoftext|>'] ?? Number.POSITIVE_INFINITY;
  for (const [tok, id] of Object.entries(vocab)) {
    if (id >= eot) continue;
    const bytes: number[] = [];
    for (const ch of tok) {
      const b = dec.get(ch);
      if (b === undefined) throw new Error(`token ${JSON.stringify(tok)} is not byte-level BPE`);
      bytes.push(b);
    }
    byId[id] = Buffer.from(bytes);
  }
  for (let i = 0; i < byId.length; i++) {
    if (!byId[i]) throw new Error(`tokenizer.json has no token with id ${i}`);
  }
  return byId;
}

interface Hparams {
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
}

function countLayers(vars: Map<string, Ct2Variable>, prefix: string): number {
  let n = 0;
  while (vars.has(`${prefix}/layer_${n}/ffn/linear_0/weight`)) n++;
  return n;
}

function scalarInt(vars: Map<string, Ct2Variable>, name: string, fallback: number): number {
  const v = vars.get(name);
  if (!v || v.data.length === 0) return fallback;
  if (v.data.length === 1) return v.data.readInt8(0);
  if (v.data.length === 2) return v.data.readInt16LE(0);
  return v.data.readInt32LE(0);
}

/** Writes the ggml model; returns the number of tensors written. */
export function convertCt2ToGgml(
  modelBin: Buffer,
  tokenizerJson: string,
  outPath: string,
  weights: GgmlWeightType = 'f16',
): number {
  const wtype = GGML_WEIGHT_TYPES[weights];
  if (!wtype) throw new Error(`unknown weight type ${weights} (f16, q8_0 or q5_1)`);
  const { spec, variables: vars } = readCt2Model(modelBin);
  if (spec !== 'WhisperSpec') throw new Error(`not a Whisper model (spec ${spec})`);
  const need = (name: string) => {
    const v = vars.get(name);
    if (!v) throw new Error(`missing variable ${name}`);
    return v;
  };
  const emb = need('decoder/embeddings/weight');
  const encPos = need('encoder/position_encodings/encodings');
  const decPos = need('decoder/position_encodings/encodings');
  const conv1 = need('encoder/conv1/weight');
  const hp: Hparams = {
    nVocab: emb.shape[0] as number,
    nAudioCtx: encPos.shape[0] as number,
    nAudioState: encPos.shape[1] as number,
    nAudioHead: scalarInt(vars, 'encoder/num_heads', 8),
    nAudioLayer: countLayers(vars, 'encoder'),
    nTextCtx: decPos.shape[0] as number,
    nTextState: decPos.shape[1] as number,
    nTextHead: scalarInt(vars, 'decoder/num_heads', 8),
    nTextLayer: countLayers(vars, 'decoder'),
    nMels: conv1.shape[1] as number,
  };
  const tokens = whisperTokens(tokenizerJson);
  const fd = openSync(outPath, 'w');
  let tensors = 0;
  try {
    const ints = (...v: number[]) => {
      const b = Buffer.alloc(4 * v.length);
      for (const [i, x] of v.entries()) b.writeInt32LE(x, i * 4);
      writeSync(fd, b);
    };
    ints(GGML_MAGIC, hp.nVocab, hp.nAudioCtx, hp.nAudioState, hp.nAudioHead, hp.nAudioLayer);
    ints(hp.nTextCtx, hp.nTextState, hp.nTextHead, hp.nTextLayer, hp.nMels, wtype.ftype);
    const filters = slaneyMelFilters(16000, 400, hp.nMels);
    ints(filters.length, filters[0]?.length ?? 0);
    for (const row of filters) writeSync(fd, Buffer.from(row.buffer, row.byteOffset, row.byteLength));
    ints(tokens.length);
    for (const t of tokens) {
      ints(t.length);
      writeSync(fd, t);
    }

    /** ttype: 0 float32, 1 float16, or the quantised weight type. */
    const write = (name: string, shape: number[], data: Buffer, ttype: number) => {
      const nameBytes = Buffer.from(name, 'utf8');
      ints(shape.length, nameBytes.length, ttype);
      ints(...[...shape].reverse());
      writeSync(fd, nameBytes);
      writeSync(fd, data);
      tensors++;
    };
    const f32 = (v: Ct2Variable, start = 0, count?: number) => {
      const all = toFloat32(v);
      const end = count === undefined ? all.length : start + count;
      const part = all.slice(start, end);
      return Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    };
    /** A weight matrix in the chosen format (float16 bytes in, for rows [start, start+count)). */
    const weight = (name: string, shape: number[], half: Buffer) => {
      if (weights === 'f16') return write(name, shape, half, 1);
      const x = new Float32Array(half.length / 2);
      const table = halfTable();
      for (let i = 0; i < x.length; i++) x[i] = table[half.readUInt16LE(i * 2)] as number;
      write(name, shape, weights === 'q8_0' ? quantizeQ8_0(x) : quantizeQ5_1(x), wtype.tensorType);
    };
    /** A tensor copied as is (matrices as weights, convolutions float16, vectors float32). */
    const copy = (name: string, v: Ct2Variable, forceF32 = false) => {
      if (v.shape.length < 2 || forceF32) write(name, v.shape, f32(v), 0);
      else if (v.shape.length === 2) weight(name, v.shape, toFloat16Bytes(v));
      else write(name, v.shape, toFloat16Bytes(v), 1);
    };
    const linear = (name: string, prefix: string, withBias = true) => {
      copy(`${name}.weight`, need(`${prefix}/weight`));
      if (withBias) copy(`${name}.bias`, need(`${prefix}/bias`));
    };
    const norm = (name: string, prefix: string) => {
      copy(`${name}.weight`, need(`${prefix}/gamma`));
      copy(`${name}.bias`, need(`${prefix}/beta`));
    };
    /** Splits a fused [k*d, d] projection into row blocks. */
    const split = (names: string[], prefix: string, d: number, offset: number, biases: boolean[]) => {
      const w = need(`${prefix}/weight`);
      const b = need(`${prefix}/bias`);
      names.forEach((name, i) => {
        const row = offset + i * d;
        weight(`${name}.weight`, [d, w.shape[1] as number], toFloat16Bytes(w, row, d));
        if (biases[i]) write(`${name}.bias`, [d], f32(b, row, d), 0);
      });
    };

    const da = hp.nAudioState;
    copy('encoder.positional_embedding', encPos, true);
    copy('encoder.conv1.weight', conv1);
    const c1b = need('encoder/conv1/bias');
    write('encoder.conv1.bias', [c1b.shape[0] as number, 1], f32(c1b), 0);
    copy('encoder.conv2.weight', need('encoder/conv2/weight'));
    const c2b = need('encoder/conv2/bias');
    write('encoder.conv2.bias', [c2b.shape[0] as number, 1], f32(c2b), 0);
    for (let l = 0; l < hp.nAudioLayer; l++) {
      const p = `encoder/layer_${l}`;
      const n = `encoder.blocks.${l}`;
      split([`${n}.attn.query`, `${n}.attn.key`, `${n}.attn.value`], `${p}/self_attention/linear_0`, da, 0, [
        true,
        false,
        true,
      ]);
      linear(`${n}.attn.out`, `${p}/self_attention/linear_1`);
      norm(`${n}.attn_ln`, `${p}/self_attention/layer_norm`);
      linear(`${n}.mlp.0`, `${p}/ffn/linear_0`);
      linear(`${n}.mlp.2`, `${p}/ffn/linear_1`);
      norm(`${n}.mlp_ln`, `${p}/ffn/layer_norm`);
    }
    norm('encoder.ln_post', 'encoder/layer_norm');

    const dt = hp.nTextState;
    copy('decoder.positional_embedding', decPos, true);
    copy('decoder.token_embedding.weight', emb);
    for (let l = 0; l < hp.nTextLayer; l++) {
      const p = `decoder/layer_${l}`;
      const n = `decoder.blocks.${l}`;
      split([`${n}.attn.query`, `${n}.attn.key`, `${n}.attn.value`], `${p}/self_attention/linear_0`, dt, 0, [
        true,
        false,
        true,
      ]);
      linear(`${n}.attn.out`, `${p}/self_attention/linear_1`);
      norm(`${n}.attn_ln`, `${p}/self_attention/layer_norm`);
      linear(`${n}.cross_attn.query`, `${p}/attention/linear_0`);
      split([`${n}.cross_attn.key`, `${n}.cross_attn.value`], `${p}/attention/linear_1`, dt, 0, [
        false,
        true,
      ]);
      linear(`${n}.cross_attn.out`, `${p}/attention/linear_2`);
      norm(`${n}.cross_attn_ln`, `${p}/attention/layer_norm`);
      linear(`${n}.mlp.0`, `${p}/ffn/linear_0`);
      linear(`${n}.mlp.2`, `${p}/ffn/linear_1`);
      norm(`${n}.mlp_ln`, `${p}/ffn/layer_norm`);
    }
    norm('decoder.ln', 'decoder/layer_norm');
  } finally {
    closeSync(fd);
  }
  return tensors;
}

/** CLI: ct2-to-ggml <model.bin> <tokenizer.json> <out.bin> [f16|q8_0|q5_1] */
export function convertFiles(
  modelPath: string,
  tokenizerPath: string,
  outPath: string,
  weights: GgmlWeightType = 'f16',
): number {
  return convertCt2ToGgml(readFileSync(modelPath), readFileSync(tokenizerPath, 'utf8'), outPath, weights);
}
