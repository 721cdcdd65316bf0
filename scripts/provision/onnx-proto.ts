// A minimal writer for the ONNX protobuf format (ModelProto and what it holds): just the
// fields a converted detector needs, so provisioning needs no Python or protobuf toolchain.
// Field numbers follow onnx/onnx.proto.

class Writer {
  private chunks: Buffer[] = [];

  private varint(n: bigint): void {
    let v = BigInt.asUintN(64, n);
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v) b |= 0x80;
      bytes.push(b);
    } while (v);
    this.chunks.push(Buffer.from(bytes));
  }

  private key(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  int(field: number, n: number | bigint): this {
    this.key(field, 0);
    this.varint(BigInt(n));
    return this;
  }

  float(field: number, f: number): this {
    this.key(field, 5);
    const b = Buffer.alloc(4);
    b.writeFloatLE(f);
    this.chunks.push(b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.varint(BigInt(data.length));
    this.chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new Writer();
    for (const v of values) inner.varint(BigInt(v));
    return this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

export interface OnnxTensor {
  name: string;
  dataType: number;
  dims: number[];
  /** Little-endian raw bytes. */
  raw: Uint8Array;
}

export type AttrValue =
  | { f: number }
  | { i: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

export interface ValueInfo {
  name: string;
  elemType: number;
  /** A number is a fixed size, a string a symbolic one; omitted means unknown rank. */
  shape?: (number | string)[];
}

export interface OnnxModel {
  opset: number;
  producer: string;
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  metadata?: Record<string, string>;
}

function tensorProto(t: OnnxTensor): Writer {
  const w = new Writer();
  w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
  return w;
}

function attributeProto(name: string, v: AttrValue): Writer {
  const w = new Writer().string(1, name);
  if ('f' in v) return w.float(2, v.f).int(20, 1);
  if ('i' in v) return w.int(3, v.i).int(20, 2);
  if ('s' in v) return w.string(4, v.s).int(20, 3);
  if ('floats' in v) {
    for (const f of v.floats) w.float(7, f);
    return w.int(20, 6);
  }
  return w.packedInts(8, v.ints).int(20, 7);
}

function valueInfoProto(v: ValueInfo): Writer {
  const tensorType = new Writer().int(1, v.elemType);
  if (v.shape) {
    const shape = new Writer();
    for (const d of v.shape) {
      shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
    }
    tensorType.message(2, shape);
  }
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

/** Serialises a model to the bytes of an .onnx file. */
export function encodeModel(m: OnnxModel): Buffer {
  const graph = new Writer();
  for (const n of m.nodes) {
    const node = new Writer();
    for (const i of n.inputs) node.string(1, i);
    for (const o of n.outputs) node.string(2, o);
    node.string(3, n.name).string(4, n.opType);
    for (const [k, v] of Object.entries(n.attrs ?? {})) node.message(5, attributeProto(k, v));
    graph.message(1, node);
  }
  graph.string(2, m.graphName);
  for (const t of m.initializers) graph.message(5, tensorProto(t));
  for (const v of m.inputs) graph.message(11, valueInfoProto(v));
  for (const v of m.outputs) graph.message(12, valueInfoProto(v));

  const model = new Writer().int(1, 8).string(2, m.producer);
  model.message(7, graph);
  model.message(8, new Writer().string(1, '').int(2, m.opset));
  for (const [k, v] of Object.entries(m.metadata ?? {})) {
    model.message(14, new Writer().string(1, k).string(2, v));
  }
  return model.finish();
}
