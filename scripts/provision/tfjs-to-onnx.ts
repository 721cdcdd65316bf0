// Converts a TensorFlow.js graph model (model.json + weights .bin) into an ONNX model for
// onnxruntime-node. It covers the operations of the NanoDet COCO detector shipped as TFJS
// (convolutions, pads, pooling, concat, resize, split, activations) and refuses any other
// operation by name, so a model it cannot convert faithfully fails at setup, not at run time.
//
// A fully convolutional model can be converted for a larger square input (`--input-size=N`):
// the input, the resize targets and the head's cell counts follow N; the weights do not change.
//
// Usage: node --import tsx scripts/provision/tfjs-to-onnx.ts <model.json> <out.onnx> [--input-size=N] [key=value metadata...]
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DataType, encodeModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

interface TfAttr {
  f?: number;
  i?: string;
  b?: boolean;
  s?: string;
  list?: { i?: string[] };
  shape?: { dim?: { size?: string }[] };
}
interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}
interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number };
}
interface TfjsModel {
  format: string;
  modelTopology: { node: TfNode[] };
  weightsManifest: { paths: string[]; weights: ManifestEntry[] }[];
  signature?: { outputs?: Record<string, { name: string }> };
}

/** A constant known at conversion time: floats stay floats, everything else is integer. */
interface Const {
  float: boolean;
  shape: number[];
  values: number[];
}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

async function readWeights(modelPath: string, model: TfjsModel): Promise<Map<string, Const>> {
  const consts = new Map<string, Const>();
  for (const group of model.weightsManifest) {
    const buf = Buffer.concat(
      await Promise.all(group.paths.map((p) => readFile(join(dirname(modelPath), p)))),
    );
    let offset = 0;
    for (const w of group.weights) {
      const n = size(w.shape);
      const values: number[] = new Array(n);
      const q = w.quantization;
      if (q?.dtype === 'float16') {
        for (let k = 0; k < n; k++) values[k] = float16ToFloat32(buf.readUInt16LE(offset + 2 * k));
        offset += 2 * n;
      } else if (q) {
        const bytes = q.dtype === 'uint8' ? 1 : 2;
        for (let k = 0; k < n; k++) {
          const raw = bytes === 1 ? buf.readUInt8(offset + k) : buf.readUInt16LE(offset + 2 * k);
          values[k] = raw * (q.scale ?? 1) + (q.min ?? 0);
        }
        offset += bytes * n;
      } else if (w.dtype === 'float32') {
        for (let k = 0; k < n; k++) values[k] = buf.readFloatLE(offset + 4 * k);
        offset += 4 * n;
      } else if (w.dtype === 'int32') {
        for (let k = 0; k < n; k++) values[k] = buf.readInt32LE(offset + 4 * k);
        offset += 4 * n;
      } else {
        for (let k = 0; k < n; k++) values[k] = buf.readUInt8(offset + k);
        offset += n;
      }
      consts.set(w.name, { float: w.dtype === 'float32', shape: w.shape, values });
    }
    if (offset !== buf.length)
      throw new Error(`weights size mismatch: read ${offset} of ${buf.length} bytes`);
  }
  return consts;
}

function tensor(name: string, c: Const, dataType: number, dims = c.shape): OnnxTensor {
  const bytes = dataType === DataType.INT64 ? 8 : 4;
  const raw = Buffer.alloc(c.values.length * bytes);
  c.values.forEach((v, k) => {
    if (dataType === DataType.FLOAT) raw.writeFloatLE(v, 4 * k);
    else if (dataType === DataType.INT64) raw.writeBigInt64LE(BigInt(Math.round(v)), 8 * k);
    else raw.writeInt32LE(Math.round(v), 4 * k);
  });
  return { name, dataType, dims, raw };
}

/** HWIO (TensorFlow) kernel to OIHW (ONNX). */
function hwioToOihw(c: Const): Const {
  const [h, w, i, o] = c.shape as [number, number, number, number];
  const out: number[] = new Array(c.values.length);
  for (let a = 0; a < h; a++)
    for (let b = 0; b < w; b++)
      for (let ci = 0; ci < i; ci++)
        for (let co = 0; co < o; co++) {
          out[((co * i + ci) * h + a) * w + b] = c.values[((a * w + b) * i + ci) * o + co] as number;
        }
  return { float: true, shape: [o, i, h, w], values: out };
}

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

export interface ConvertOptions {
  metadata?: Record<string, string>;
  /** Square input size to convert for (default: the model's own). */
  inputSize?: number;
}

/**
 * How shape constants change when a square NHWC/NCHW input of `from` pixels becomes `to`:
 * spatial sizes (from / stride) and cell counts ((from / stride)^2) for the strides of a
 * detector head. Anything else is left alone.
 */
function resizer(from: number, to: number) {
  if (to === from) return { resize: (v: number) => v, cells: (v: number) => v };
  const strides = [8, 16, 32, 64].filter((s) => from % s === 0);
  if (strides.length === 0 || to % (strides[strides.length - 1] as number) !== 0) {
    throw new Error(`input size ${to} must be a multiple of ${strides[strides.length - 1] ?? 32}`);
  }
  const grids = new Map(strides.map((s) => [from / s, to / s]));
  const cells = new Map(strides.map((s) => [(from / s) ** 2, (to / s) ** 2]));
  return {
    resize: (v: number) => {
      const g = grids.get(v);
      if (g === undefined) throw new Error(`resize target ${v} is not a grid of the ${from} px input`);
      return g;
    },
    cells: (v: number) => cells.get(v) ?? v,
  };
}

export async function convert(modelPath: string, options: ConvertOptions = {}): Promise<Buffer> {
  const model = JSON.parse(await readFile(modelPath, 'utf8')) as TfjsModel;
  if (model.format !== 'graph-model') throw new Error(`not a TFJS graph model: ${model.format}`);
  const consts = await readWeights(modelPath, model);
  const metadata = options.metadata ?? {};
  const placeholder = model.modelTopology.node.find((n) => n.op === 'Placeholder');
  const dims0 = (placeholder?.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size ?? -1));
  // A square input is [1, 3, N, N] (NCHW) or [1, N, N, 3] (NHWC).
  const nativeSize = dims0[1] === 3 ? dims0[2] : dims0[1];
  const targetSize = options.inputSize ?? nativeSize ?? 0;
  if (options.inputSize && (!nativeSize || nativeSize <= 0))
    throw new Error('the model has no fixed square input to resize');
  const shapes = resizer(nativeSize ?? targetSize, targetSize);
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const inputs: { name: string; shape: number[] }[] = [];
  // Which ONNX tensor came from a Transpose, so an inverse Transpose can be skipped.
  const transposed = new Map<string, { source: string; perm: number[] }>();
  let counter = 0;

  const ref = (tfInput: string): string => {
    const [node, idx] = tfInput.split(':');
    return `${node}:${idx ?? '0'}`;
  };
  const constOf = (tfInput: string): Const | undefined => consts.get(tfInput.split(':')[0] as string);
  const needConst = (tfInput: string, what: string): Const => {
    const c = constOf(tfInput);
    if (!c) throw new Error(`${what}: expected a constant input, got ${tfInput}`);
    return c;
  };
  const initializer = (c: Const, dataType: number, dims?: number[]): string => {
    const name = `const_${counter++}`;
    initializers.push(tensor(name, c, dataType, dims));
    return name;
  };
  /** A data input: a constant becomes an initializer, anything else a graph tensor. */
  const data = (tfInput: string): string => {
    const c = constOf(tfInput);
    return c ? initializer(c, c.float ? DataType.FLOAT : DataType.INT64) : ref(tfInput);
  };
  const emit = (node: Omit<OnnxNode, 'name'> & { name?: string }) => {
    nodes.push({ ...node, name: node.name ?? `n${counter++}` });
  };
  const transpose = (input: string, perm: number[], output = `t_${counter++}`): string => {
    const prior = transposed.get(input);
    if (prior?.perm.every((p, k) => perm[p] === k)) return prior.source;
    emit({ opType: 'Transpose', inputs: [input], outputs: [output], attrs: { perm: { ints: perm } } });
    transposed.set(output, { source: input, perm });
    return output;
  };
  const ints = (a: TfAttr | undefined) => (a?.list?.i ?? []).map(Number);
  const decode = (a: TfAttr | undefined) => Buffer.from(a?.s ?? '', 'base64').toString();
  const nhwcOnly = (n: TfNode) => {
    const fmt = decode(n.attr?.data_format) || 'NHWC';
    if (fmt !== 'NHWC') throw new Error(`${n.name}: data_format ${fmt} not supported`);
    if (decode(n.attr?.padding) !== 'VALID') throw new Error(`${n.name}: only VALID padding is supported`);
  };

  for (const n of model.modelTopology.node) {
    const ins = (n.input ?? []).filter((i) => !i.startsWith('^'));
    const out = (k = 0) => `${n.name}:${k}`;
    switch (n.op) {
      case 'Const':
        if (!consts.has(n.name)) throw new Error(`${n.name}: constant without weights`);
        break;
      case 'Placeholder': {
        const dims = (n.attr?.shape?.shape?.dim ?? []).map((d, k) =>
          Number(d.size ?? -1) === nativeSize && k > 0 ? targetSize : Number(d.size ?? -1),
        );
        inputs.push({ name: n.name, shape: dims });
        emit({ opType: 'Identity', inputs: [n.name], outputs: [out()] });
        break;
      }
      case 'SparseToDense': {
        // Constant folding: these only build shapes in the converted graph.
        const [indices, outShape, values, dflt] = ins.map((i) => needConst(i, n.name)) as Const[];
        const length = size((outShape as Const).values);
        const dense = new Array(length).fill((dflt as Const).values[0] ?? 0);
        const idx = (indices as Const).values;
        idx.forEach((p, k) => {
          dense[p] =
            (values as Const).values.length > 1 ? (values as Const).values[k] : (values as Const).values[0];
        });
        consts.set(n.name, { float: false, shape: (outShape as Const).values, values: dense });
        break;
      }
      case 'Add':
      case 'AddV2': {
        const [a, b] = ins.map(constOf);
        if (a && b) {
          consts.set(n.name, {
            float: a.float,
            shape: a.shape,
            values: a.values.map((v, k) => v + (b.values[k] ?? 0)),
          });
        } else {
          emit({ opType: 'Add', inputs: ins.map(data), outputs: [out()] });
        }
        break;
      }
      case 'Identity':
        emit({ opType: 'Identity', inputs: [data(ins[0] as string)], outputs: [out()] });
        break;
      case 'Sigmoid':
        emit({ opType: 'Sigmoid', inputs: [ref(ins[0] as string)], outputs: [out()] });
        break;
      case 'Relu':
        emit({ opType: 'Relu', inputs: [ref(ins[0] as string)], outputs: [out()] });
        break;
      case 'LeakyRelu':
        emit({
          opType: 'LeakyRelu',
          inputs: [ref(ins[0] as string)],
          outputs: [out()],
          attrs: { alpha: { f: n.attr?.alpha?.f ?? 0.2 } },
        });
        break;
      case 'Transpose': {
        const perm = needConst(ins[1] as string, n.name).values;
        const result = transpose(ref(ins[0] as string), perm);
        emit({ opType: 'Identity', inputs: [result], outputs: [out()] });
        transposed.set(out(), transposed.get(result) ?? { source: result, perm: perm.map((_, k) => k) });
        break;
      }
      case 'Pad':
      case 'PadV2': {
        const p = needConst(ins[1] as string, n.name).values;
        const rank = p.length / 2;
        const pads = [
          ...Array.from({ length: rank }, (_, k) => p[2 * k]),
          ...Array.from({ length: rank }, (_, k) => p[2 * k + 1]),
        ] as number[];
        const padInputs = [
          ref(ins[0] as string),
          initializer({ float: false, shape: [pads.length], values: pads }, DataType.INT64),
        ];
        if (n.op === 'PadV2') {
          const v = needConst(ins[2] as string, n.name);
          padInputs.push(initializer({ float: true, shape: [], values: v.values }, DataType.FLOAT, []));
        }
        emit({ opType: 'Pad', inputs: padInputs, outputs: [out()], attrs: { mode: { s: 'constant' } } });
        break;
      }
      case 'Conv2D': {
        nhwcOnly(n);
        const kernel = hwioToOihw(needConst(ins[1] as string, n.name));
        const strides = ints(n.attr?.strides);
        const dil = ints(n.attr?.dilations);
        const conv = `conv_${counter++}`;
        emit({
          opType: 'Conv',
          inputs: [transpose(ref(ins[0] as string), TO_NCHW), initializer(kernel, DataType.FLOAT)],
          outputs: [conv],
          attrs: {
            strides: { ints: [strides[1] ?? 1, strides[2] ?? 1] },
            dilations: { ints: [dil[1] ?? 1, dil[2] ?? 1] },
            kernel_shape: { ints: kernel.shape.slice(2) },
          },
        });
        transpose(conv, TO_NHWC, out());
        break;
      }
      case 'MaxPool': {
        nhwcOnly(n);
        const k = ints(n.attr?.ksize);
        const s = ints(n.attr?.strides);
        const pooled = `pool_${counter++}`;
        emit({
          opType: 'MaxPool',
          inputs: [transpose(ref(ins[0] as string), TO_NCHW)],
          outputs: [pooled],
          attrs: {
            kernel_shape: { ints: [k[1] ?? 1, k[2] ?? 1] },
            strides: { ints: [s[1] ?? 1, s[2] ?? 1] },
          },
        });
        transpose(pooled, TO_NHWC, out());
        break;
      }
      case 'ConcatV2': {
        const axis = needConst(ins[ins.length - 1] as string, n.name).values[0] as number;
        emit({
          opType: 'Concat',
          inputs: ins.slice(0, -1).map(data),
          outputs: [out()],
          attrs: { axis: { i: axis } },
        });
        break;
      }
      case 'ResizeBilinear': {
        if (n.attr?.align_corners?.b) throw new Error(`${n.name}: align_corners is not supported`);
        const sizes = needConst(ins[1] as string, n.name);
        const mode = n.attr?.half_pixel_centers?.b ? 'half_pixel' : 'asymmetric';
        const resized = `resize_${counter++}`;
        emit({
          opType: 'Resize',
          inputs: [
            transpose(ref(ins[0] as string), TO_NCHW),
            '',
            '',
            initializer(
              { float: false, shape: [2], values: sizes.values.map(shapes.resize) },
              DataType.INT64,
            ),
          ],
          outputs: [resized],
          attrs: {
            mode: { s: 'linear' },
            coordinate_transformation_mode: { s: mode },
            axes: { ints: [2, 3] },
          },
        });
        transpose(resized, TO_NHWC, out());
        break;
      }
      case 'SplitV': {
        const splits = needConst(ins[1] as string, n.name);
        const axis = needConst(ins[2] as string, n.name).values[0] as number;
        emit({
          opType: 'Split',
          inputs: [ref(ins[0] as string), initializer(splits, DataType.INT64)],
          outputs: splits.values.map((_, k) => out(k)),
          attrs: { axis: { i: axis } },
        });
        break;
      }
      case 'Reshape': {
        const shape = needConst(ins[1] as string, n.name);
        emit({
          opType: 'Reshape',
          inputs: [
            ref(ins[0] as string),
            initializer(
              { ...shape, shape: [shape.values.length], values: shape.values.map(shapes.cells) },
              DataType.INT64,
            ),
          ],
          outputs: [out()],
        });
        break;
      }
      default:
        throw new Error(`TFJS operation ${n.op} (${n.name}) is not supported by this converter`);
    }
  }

  const outputNames = Object.values(model.signature?.outputs ?? {}).map(
    (o) => o.name.split(':')[0] as string,
  );
  for (const name of outputNames) emit({ opType: 'Identity', inputs: [`${name}:0`], outputs: [name] });
  return encodeModel({
    opset: 18,
    producer: 'vidp-tfjs-to-onnx',
    graphName: 'detector',
    nodes,
    initializers,
    inputs: inputs.map((i) => ({ name: i.name, elemType: DataType.FLOAT, shape: i.shape })),
    outputs: outputNames.sort().map((name) => ({ name, elemType: DataType.FLOAT })),
    metadata,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [modelJson, outPath, ...rest] = process.argv.slice(2);
  if (!modelJson || !outPath) {
    console.error('usage: tfjs-to-onnx.ts <model.json> <out.onnx> [--input-size=N] [key=value...]');
    process.exit(2);
  }
  const sizeArg = rest.find((a) => a.startsWith('--input-size='));
  const inputSize = sizeArg ? Number(sizeArg.split('=')[1]) : undefined;
  if (inputSize !== undefined && !(Number.isInteger(inputSize) && inputSize > 0)) {
    console.error(`--input-size must be a positive integer, got ${sizeArg}`);
    process.exit(2);
  }
  const metadata = Object.fromEntries(
    rest
      .filter((a) => a !== sizeArg)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  await writeFile(outPath, await convert(modelJson, { metadata, ...(inputSize ? { inputSize } : {}) }));
}
