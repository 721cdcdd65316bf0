// Reads the tensors of a PyTorch state dict saved in the legacy (pre-1.6, non-zip) format,
// without PyTorch: a few pickles in a row (magic number, protocol version, system info, the
// state dict, the storage keys), then each storage's raw bytes. Only what a state dict of
// float tensors needs is understood (a small pickle machine, `_rebuild_tensor_v2`,
// `OrderedDict`); anything else is refused by name, so a file it cannot read faithfully fails
// at setup. Tensors may be strided (a model converted from TensorFlow keeps HWIO storage
// behind OIHW views): they are gathered into contiguous row-major arrays.

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

export interface TorchTensor {
  dtype: 'float32' | 'int64';
  shape: number[];
  /** Row-major (contiguous) values. */
  data: Float32Array | Float64Array;
}

interface StorageRef {
  kind: 'storage';
  dtype: 'float32' | 'int64';
  key: string;
  numel: number;
}
interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}
interface Global {
  kind: 'global';
  name: string;
}
type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Value[]
  | Map<Value, Value>
  | StorageRef
  | TensorRef
  | Global
  | { kind: 'tuple'; items: Value[] }
  | { kind: 'mark' };

const STORAGE_TYPES: Record<string, StorageRef['dtype']> = {
  'torch.FloatStorage': 'float32',
  'torch.LongStorage': 'int64',
};
const KNOWN_GLOBALS = new Set([
  'torch._utils._rebuild_tensor_v2',
  'collections.OrderedDict',
  ...Object.keys(STORAGE_TYPES),
]);

const isTuple = (v: Value): v is { kind: 'tuple'; items: Value[] } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && v.kind === 'tuple';
const itemsOf = (v: Value): Value[] => (isTuple(v) ? v.items : Array.isArray(v) ? v : []);

/** One pickle (protocol 2) from `buf` at `pos`; returns its value and where it ended. */
function unpickle(buf: Buffer, start: number): { value: Value; end: number } {
  let pos = start;
  const stack: Value[] = [];
  const memo = new Map<number, Value>();
  const MARK: Value = { kind: 'mark' };
  const popMark = (): Value[] => {
    const k = stack.lastIndexOf(MARK);
    if (k < 0) throw new Error('pickle: mark not found');
    return stack.splice(k).slice(1);
  };
  const pop = (): Value => {
    if (stack.length === 0) throw new Error('pickle: stack underflow');
    return stack.pop() as Value;
  };
  const line = (): string => {
    const end = buf.indexOf(0x0a, pos);
    const s = buf.toString('latin1', pos, end);
    pos = end + 1;
    return s;
  };
  const reduce = (fn: Value, args: Value): Value => {
    const name = (fn as Global).kind === 'global' ? (fn as Global).name : '?';
    const a = itemsOf(args);
    if (name === 'collections.OrderedDict') return new Map();
    if (name === 'torch._utils._rebuild_tensor_v2') {
      const [storage, offset, shape, stride] = a;
      return {
        kind: 'tensor',
        storage: storage as StorageRef,
        offset: Number(offset),
        shape: itemsOf(shape as Value).map(Number),
        stride: itemsOf(stride as Value).map(Number),
      };
    }
    throw new Error(`pickle: cannot call ${name}`);
  };
  for (;;) {
    const op = buf[pos++];
    switch (op) {
      case 0x80: // PROTO
        pos++;
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(buf.readUInt8(pos));
        pos += 1;
        break;
      case 0x4d: // BININT2
        stack.push(buf.readUInt16LE(pos));
        pos += 2;
        break;
      case 0x4a: // BININT
        stack.push(buf.readInt32LE(pos));
        pos += 4;
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes
        const n = buf.readUInt8(pos++);
        let v = 0n;
        for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(buf[pos + k] as number);
        if (n > 0 && (buf[pos + n - 1] as number) & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(
          v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
        );
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(buf.readDoubleBE(pos));
        pos += 8;
        break;
      case 0x58: {
        // BINUNICODE
        const n = buf.readUInt32LE(pos);
        stack.push(buf.toString('utf8', pos + 4, pos + 4 + n));
        pos += 4 + n;
        break;
      }
      case 0x8c: {
        // SHORT_BINUNICODE
        const n = buf.readUInt8(pos);
        stack.push(buf.toString('utf8', pos + 1, pos + 1 + n));
        pos += 1 + n;
        break;
      }
      case 0x55: {
        // SHORT_BINSTRING
        const n = buf.readUInt8(pos);
        stack.push(buf.toString('latin1', pos + 1, pos + 1 + n));
        pos += 1 + n;
        break;
      }
      case 0x63: {
        // GLOBAL module\nname\n
        const name = `${line()}.${line()}`;
        if (!KNOWN_GLOBALS.has(name)) throw new Error(`pickle: refusing unknown global ${name}`);
        stack.push({ kind: 'global', name });
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: 'tuple', items: [] });
        break;
      case 0x74: // TUPLE
        stack.push({ kind: 'tuple', items: popMark() });
        break;
      case 0x85: // TUPLE1
        stack.push({ kind: 'tuple', items: [pop()] });
        break;
      case 0x86: {
        const b = pop();
        stack.push({ kind: 'tuple', items: [pop(), b] });
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push({ kind: 'tuple', items: [pop(), b, c] });
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        (stack[stack.length - 1] as Value[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        (stack[stack.length - 1] as Value[]).push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        (stack[stack.length - 1] as Map<Value, Value>).set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = stack[stack.length - 1] as Map<Value, Value>;
        for (let k = 0; k + 1 < items.length; k += 2) d.set(items[k] as Value, items[k + 1] as Value);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case 0x62: // BUILD: the state dict's `_metadata` (versions of each module) is not needed
        pop();
        break;
      case 0x51: {
        // BINPERSID: ('storage', type, key, location, numel, view_metadata)
        const [tag, type, key, , numel] = itemsOf(pop());
        const typeName = (type as Global).name;
        const dtype = STORAGE_TYPES[typeName];
        if (tag !== 'storage' || !dtype) throw new Error(`pickle: unsupported persistent id ${typeName}`);
        stack.push({ kind: 'storage', dtype, key: String(key), numel: Number(numel) });
        break;
      }
      case 0x71: // BINPUT
        memo.set(buf.readUInt8(pos++), stack[stack.length - 1] as Value);
        break;
      case 0x72: // LONG_BINPUT
        memo.set(buf.readUInt32LE(pos), stack[stack.length - 1] as Value);
        pos += 4;
        break;
      case 0x68: // BINGET
        stack.push(memo.get(buf.readUInt8(pos++)) as Value);
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memo.get(buf.readUInt32LE(pos)) as Value);
        pos += 4;
        break;
      default:
        throw new Error(`pickle: unsupported opcode 0x${(op ?? 0).toString(16)} at byte ${pos - 1}`);
    }
  }
}

/** The named tensors of a legacy-format `.pth` state dict. */
export function readLegacyStateDict(buf: Buffer): Map<string, TorchTensor> {
  if (buf.subarray(0, 2).toString('latin1') === 'PK') {
    throw new Error('this is a zip-format PyTorch file; only the legacy format is supported');
  }
  let at = 0;
  const next = () => {
    const { value, end } = unpickle(buf, at);
    at = end;
    return value;
  };
  if (BigInt(next() as number | bigint) !== LEGACY_MAGIC) throw new Error('not a legacy PyTorch file');
  if (next() !== PROTOCOL_VERSION) throw new Error('unsupported PyTorch protocol version');
  next(); // system info: little-endian, type sizes (checked by the reads below)
  const state = next();
  if (!(state instanceof Map)) throw new Error('the file holds no state dict');
  const keys = itemsOf(next()).map(String);

  // Each storage: an int64 element count, then its raw little-endian elements.
  const storages = new Map<string, { dtype: StorageRef['dtype']; bytes: Buffer }>();
  const dtypeOf = new Map<string, StorageRef['dtype']>();
  for (const v of state.values()) {
    const t = v as TensorRef;
    if (t?.kind === 'tensor') dtypeOf.set(t.storage.key, t.storage.dtype);
  }
  for (const key of keys) {
    const dtype = dtypeOf.get(key);
    if (!dtype) throw new Error(`storage ${key} belongs to no tensor`);
    const numel = Number(buf.readBigInt64LE(at));
    const size = (dtype === 'float32' ? 4 : 8) * numel;
    storages.set(key, { dtype, bytes: buf.subarray(at + 8, at + 8 + size) });
    at += 8 + size;
  }
  if (at !== buf.length) throw new Error(`${buf.length - at} bytes left after the last storage`);

  const tensors = new Map<string, TorchTensor>();
  for (const [name, v] of state) {
    const t = v as TensorRef;
    if (t?.kind !== 'tensor') throw new Error(`${String(name)} is not a tensor`);
    const s = storages.get(t.storage.key);
    if (!s) throw new Error(`${String(name)}: storage ${t.storage.key} missing`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = s.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    // Row-major walk over the shape, reading through the strides.
    const index = new Array<number>(t.shape.length).fill(0);
    for (let k = 0; k < n; k++) {
      let off = t.offset;
      for (let d = 0; d < index.length; d++) off += (index[d] as number) * (t.stride[d] as number);
      data[k] =
        s.dtype === 'float32' ? s.bytes.readFloatLE(4 * off) : Number(s.bytes.readBigInt64LE(8 * off));
      for (let d = index.length - 1; d >= 0; d--) {
        index[d] = (index[d] as number) + 1;
        if ((index[d] as number) < (t.shape[d] as number)) break;
        index[d] = 0;
      }
    }
    tensors.set(String(name), { dtype: s.dtype, shape: t.shape, data });
  }
  return tensors;
}
