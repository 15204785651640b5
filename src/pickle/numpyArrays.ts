/**
 * NumPy values inside a pickle, decoded without NumPy: dtypes, arrays (`_reconstruct` + `__setstate__`
 * and protocol 5's `_frombuffer`) and scalars, as plain objects over typed arrays.
 */

/** NumPy element types the pickle reader decodes. */
export type NdArrayDType = 'bool' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'float16' | 'float32' | 'float64';

/**
 * Element storage of a decoded array: `bool` and `uint8` -> Uint8Array (bool as 0/1), `float16` ->
 * Float32Array (exact widening), `int64`/`uint64` -> BigInt64Array/BigUint64Array or, with
 * `int64: 'number'`, Float64Array; every other dtype its own typed array.
 */
export type NdArrayData =
  Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** A NumPy array read from a pickle: `data` holds `product(shape)` elements in row-major (C) order, whatever the stored order. */
export interface NdArray {
  kind: 'ndarray';
  /** NumPy element type (byte order already applied). */
  dtype: NdArrayDType;
  /** Dimensions; `[]` for a 0-d array (one element). */
  shape: number[];
  /** The elements, row-major; see {@link NdArrayData} for the storage of each dtype. */
  data: NdArrayData;
}

/** A NumPy dtype read from a pickle: element type and stored byte order (`'|'` for one-byte types). */
export interface NumpyDtype {
  kind: 'dtype';
  /** Element type. */
  name: NdArrayDType;
  /** Byte order of stored data: `'<'` little endian, `'>'` big endian, `'|'` not applicable. */
  byteOrder: '<' | '>' | '|';
}

/** How the pickle reader returns 64-bit integer array data: `'number'` (Float64Array, values beyond +-(2^53 - 1) rejected) or `'bigint'`. */
export type Int64Mode = 'number' | 'bigint';

/** What the NumPy decoders need from the pickle reader: error reporting (with the byte offset), limits and modes. */
export interface NumpyDecodeContext {
  /** Throws the reader's error for `message`. */
  raise(message: string): never;
  /** Storage of int64/uint64 array data. */
  int64: Int64Mode;
  /** Whether integers beyond +-(2^53 - 1) may be returned as bigint (otherwise they are an error). */
  bigInts: boolean;
  /** Counts `n` more array elements against the reader's limit (throws past it). */
  countElements(n: number): void;
  /** Python type name of a pickle value, for messages. */
  kindOf(v: unknown): string;
}

const ITEM_SIZE: Record<NdArrayDType, number> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  float16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
};

/** NumPy type strings (`kind` + item size, as NumPy pickles them) of the supported dtypes. */
const TYPE_STRINGS: Record<string, NdArrayDType> = {
  b1: 'bool',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
};

/** Most dimensions NumPy allows. */
const MAX_DIMS = 64;

const LITTLE_ENDIAN_PLATFORM = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes per element of `dtype`. */
export function itemSize(dtype: NdArrayDType): number {
  return ITEM_SIZE[dtype];
}

/** True for the plain objects this module makes for arrays. */
export function isNdArray(v: unknown): v is NdArray {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'ndarray' && !Array.isArray(v);
}

/** True for the plain objects this module makes for dtypes. */
export function isNumpyDtype(v: unknown): v is NumpyDtype {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'dtype' && !Array.isArray(v);
}

/**
 * `numpy.dtype(typestr, align, copy)`: a dtype from a type string such as `'f4'` (an optional byte
 * order prefix is honoured); its byte order is native until `__setstate__` ({@link setDtypeState}).
 */
export function makeDtype(args: readonly unknown[], ctx: NumpyDecodeContext): NumpyDtype {
  if (args.length < 1 || args.length > 3) ctx.raise(`numpy.dtype expects 1 to 3 arguments, got ${args.length}`);
  const spec = args[0];
  if (typeof spec !== 'string') ctx.raise(`numpy.dtype expects a type string such as "f4", got ${ctx.kindOf(spec)}`);
  const m = /^([<>|=]?)([a-z]\d+)$/.exec(spec);
  const name = m ? TYPE_STRINGS[m[2]] : undefined;
  if (!m || name === undefined) {
    ctx.raise(`numpy dtype "${spec}" is not supported; supported: ${Object.keys(TYPE_STRINGS).join(', ')}`);
  }
  return { kind: 'dtype', name, byteOrder: resolveByteOrder(m[1] === '' ? '=' : m[1], name) };
}

/** `dtype.__setstate__(state)` for simple dtypes: `(version, byteorder, subarray=None, names=None, fields=None, ...)`. */
export function setDtypeState(dtype: NumpyDtype, state: unknown, ctx: NumpyDecodeContext): void {
  if (!Array.isArray(state) || state.length < 2) ctx.raise(`numpy dtype state must be a tuple (version, byteorder, ...), got ${ctx.kindOf(state)}`);
  const [version, order] = state;
  if (typeof version !== 'number' || !Number.isInteger(version)) ctx.raise(`numpy dtype state version must be an int, got ${ctx.kindOf(version)}`);
  if (typeof order !== 'string' || !/^[<>|=]$/.test(order)) ctx.raise(`numpy dtype byte order must be one of < > | =, got ${describeValue(order, ctx)}`);
  for (let i = 2; i < Math.min(state.length, 5); i++) {
    if (state[i] !== null) ctx.raise(`numpy dtype with subarray or fields (structured dtype) is not supported`);
  }
  dtype.byteOrder = resolveByteOrder(order, dtype.name);
}

/** `numpy.core.multiarray._reconstruct(numpy.ndarray, shape, typecode)`: the empty array that `__setstate__` then fills. */
export function reconstructArray(args: readonly unknown[], isNdarrayClass: (v: unknown) => boolean, ctx: NumpyDecodeContext): NdArray {
  if (args.length !== 3) ctx.raise(`_reconstruct expects 3 arguments (subtype, shape, typecode), got ${args.length}`);
  if (!isNdarrayClass(args[0])) ctx.raise(`_reconstruct subtype must be numpy.ndarray, got ${ctx.kindOf(args[0])}`);
  const shape = readShape(args[1], '_reconstruct shape', ctx);
  if (shape.every((d) => d !== 0)) ctx.raise(`_reconstruct shape must be empty (a 0 dimension), got [${shape.join(', ')}]`);
  return { kind: 'ndarray', dtype: 'int8', shape, data: new Int8Array(0) };
}

/**
 * `ndarray.__setstate__(state)`: state `(version, shape, dtype, isFortran, rawdata)` or the older
 * `(shape, dtype, isFortran, rawdata)`; `rawdata` bytes (or a Latin-1 str from Python 2 pickles).
 */
export function setArrayState(array: NdArray, state: unknown, ctx: NumpyDecodeContext): void {
  if (!Array.isArray(state) || (state.length !== 5 && state.length !== 4)) {
    ctx.raise(`numpy array state must be a tuple (version, shape, dtype, is_fortran, data), got ${ctx.kindOf(state)}`);
  }
  const fields = state.length === 5 ? state.slice(1) : state;
  if (state.length === 5 && (typeof state[0] !== 'number' || !Number.isInteger(state[0]))) {
    ctx.raise(`numpy array state version must be an int, got ${ctx.kindOf(state[0])}`);
  }
  const [shapeValue, dtype, fortran, raw] = fields;
  const shape = readShape(shapeValue, 'numpy array shape', ctx);
  if (!isNumpyDtype(dtype)) ctx.raise(`numpy array state dtype must be a numpy.dtype, got ${ctx.kindOf(dtype)}`);
  if (typeof fortran !== 'boolean' && fortran !== 0 && fortran !== 1) ctx.raise(`numpy array is_fortran must be a bool, got ${ctx.kindOf(fortran)}`);
  const bytes = rawBytes(raw, 'numpy array data', ctx);
  array.dtype = dtype.name;
  array.shape = shape;
  array.data = decodeElements(bytes, dtype, shape, Boolean(fortran), ctx, ctx.int64, true);
}

/** `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)` (protocol 5 arrays). */
export function arrayFromBuffer(args: readonly unknown[], ctx: NumpyDecodeContext): NdArray {
  if (args.length !== 4) ctx.raise(`_frombuffer expects 4 arguments (buffer, dtype, shape, order), got ${args.length}`);
  const [buffer, dtype, shapeValue, order] = args;
  const bytes = rawBytes(buffer, '_frombuffer buffer', ctx);
  if (!isNumpyDtype(dtype)) ctx.raise(`_frombuffer dtype must be a numpy.dtype, got ${ctx.kindOf(dtype)}`);
  const shape = readShape(shapeValue, '_frombuffer shape', ctx);
  if (order !== 'C' && order !== 'F') ctx.raise(`_frombuffer order must be "C" or "F", got ${describeValue(order, ctx)}`);
  return { kind: 'ndarray', dtype: dtype.name, shape, data: decodeElements(bytes, dtype, shape, order === 'F', ctx, ctx.int64, true) };
}

/**
 * `numpy.core.multiarray.scalar(dtype, bytes)`: a NumPy scalar as a JS value (bool -> boolean,
 * integers and floats -> number; 64-bit integers beyond +-(2^53 - 1) -> bigint when allowed).
 */
export function numpyScalar(args: readonly unknown[], ctx: NumpyDecodeContext): boolean | number | bigint {
  if (args.length !== 2) ctx.raise(`numpy scalar expects 2 arguments (dtype, bytes), got ${args.length}`);
  const [dtype, raw] = args;
  if (!isNumpyDtype(dtype)) ctx.raise(`numpy scalar dtype must be a numpy.dtype, got ${ctx.kindOf(dtype)}`);
  const bytes = rawBytes(raw, 'numpy scalar data', ctx);
  if (bytes.length !== itemSize(dtype.name)) {
    ctx.raise(`numpy ${dtype.name} scalar needs ${itemSize(dtype.name)} bytes, got ${bytes.length}`);
  }
  const data = decodeElements(bytes, dtype, [], false, ctx, 'bigint');
  const value = data[0];
  if (dtype.name === 'bool') return value === 1;
  if (typeof value === 'bigint') {
    if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
    if (ctx.bigInts) return value;
    ctx.raise(`numpy ${dtype.name} scalar ${value} does not fit a JS number exactly (use bigInts: 'bigint')`);
  }
  return value;
}

/** Shape tuple -> dimensions: at most 64 non-negative safe integers. */
function readShape(value: unknown, what: string, ctx: NumpyDecodeContext): number[] {
  if (!Array.isArray(value)) ctx.raise(`${what} must be a tuple of ints, got ${ctx.kindOf(value)}`);
  if (value.length > MAX_DIMS) ctx.raise(`${what} has ${value.length} dimensions; at most ${MAX_DIMS} are allowed`);
  return value.map((d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) ctx.raise(`${what} must hold non-negative ints, got ${describeValue(d, ctx)}`);
    return d;
  });
}

/** Raw element bytes: bytes/bytearray, or a str whose characters are bytes (Python 2 pickles read as Latin-1). */
function rawBytes(raw: unknown, what: string, ctx: NumpyDecodeContext): Uint8Array {
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === 'string') {
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c > 255) ctx.raise(`${what} as str must hold only characters below U+0100, got U+${c.toString(16).padStart(4, '0')} at index ${i}`);
      out[i] = c;
    }
    return out;
  }
  if (Array.isArray(raw)) ctx.raise(`${what} is a list: object arrays are not supported`);
  return ctx.raise(`${what} must be bytes, got ${ctx.kindOf(raw)}`);
}

/**
 * Checks `bytes.length == product(shape) * itemsize` BEFORE allocating (and counts the elements
 * against the reader's limit when `count`), then copies the elements into a fresh typed array
 * (native byte order, C order).
 */
function decodeElements(
  bytes: Uint8Array,
  dtype: NumpyDtype,
  shape: readonly number[],
  fortran: boolean,
  ctx: NumpyDecodeContext,
  int64: Int64Mode,
  count = false,
): NdArrayData {
  const size = itemSize(dtype.name);
  // Exact while below 2^53; a larger (rounded) product can never equal a real byte length.
  let n = 1;
  for (const d of shape) n *= d;
  if (n * size !== bytes.length) {
    const product = shape.length === 0 ? '1 element (0-d)' : `shape [${shape.join(', ')}]`;
    ctx.raise(`numpy array data is ${bytes.length} bytes, but ${product} of ${dtype.name} (${size} bytes each) needs ${n * size}`);
  }
  if (count) ctx.countElements(n);
  const copy = bytes.slice(); // own, aligned buffer
  if (size > 1 && dtype.byteOrder !== (LITTLE_ENDIAN_PLATFORM ? '<' : '>')) swapBytes(copy, size);
  const data = typedView(copy, dtype.name, n, ctx, int64);
  return fortran && shape.length > 1 ? fortranToC(data, shape) : data;
}

function typedView(b: Uint8Array, dtype: NdArrayDType, n: number, ctx: NumpyDecodeContext, int64: Int64Mode): NdArrayData {
  const buf = b.buffer;
  switch (dtype) {
    case 'bool':
      for (let i = 0; i < n; i++) b[i] = b[i] === 0 ? 0 : 1;
      return b;
    case 'uint8':
      return b;
    case 'int8':
      return new Int8Array(buf, 0, n);
    case 'int16':
      return new Int16Array(buf, 0, n);
    case 'uint16':
      return new Uint16Array(buf, 0, n);
    case 'int32':
      return new Int32Array(buf, 0, n);
    case 'uint32':
      return new Uint32Array(buf, 0, n);
    case 'float32':
      return new Float32Array(buf, 0, n);
    case 'float64':
      return new Float64Array(buf, 0, n);
    case 'float16':
      return float16ToFloat32(new Uint16Array(buf, 0, n));
    case 'int64':
    case 'uint64': {
      const big = dtype === 'int64' ? new BigInt64Array(buf, 0, n) : new BigUint64Array(buf, 0, n);
      return int64 === 'bigint' ? big : int64ToNumbers(big, dtype, ctx);
    }
  }
}

function int64ToNumbers(big: BigInt64Array | BigUint64Array, dtype: NdArrayDType, ctx: NumpyDecodeContext): Float64Array {
  const out = new Float64Array(big.length);
  const lo = BigInt(Number.MIN_SAFE_INTEGER);
  const hi = BigInt(Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < big.length; i++) {
    const v = big[i];
    if (v < lo || v > hi) ctx.raise(`numpy ${dtype} array element ${i} = ${v} does not fit a JS number exactly (use int64: 'bigint')`);
    out[i] = Number(v);
  }
  return out;
}

let halfTable: Float32Array | undefined;

/**
 * IEEE 754 binary16 bit patterns `[n]` -> float32 values `[n]` (exact; subnormals, +-0, +-inf and NaN kept).
 *
 * @example
 * ```ts
 * import { float16ToFloat32 } from 'ske2grid';
 * float16ToFloat32(new Uint16Array([0x3c00, 0xc000, 0x7c00])); // Float32Array [1, -2, Infinity]
 * ```
 */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToNumber(h);
  }
  const table = halfTable;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

/** One binary16 bit pattern -> its value. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo];
      b[lo] = b[hi];
      b[hi] = t;
    }
  }
}

/** Column-major elements of `shape` -> row-major (same typed-array class). */
function fortranToC(src: NdArrayData, shape: readonly number[]): NdArrayData {
  const out = new (src.constructor as new (n: number) => NdArrayData)(src.length) as unknown as { [i: number]: unknown };
  const input = src as unknown as { [i: number]: unknown };
  const nd = shape.length;
  const strides = new Array<number>(nd); // Fortran strides, in elements
  let s = 1;
  for (let k = 0; k < nd; k++) {
    strides[k] = s;
    s *= shape[k];
  }
  const index = new Array<number>(nd).fill(0);
  let from = 0;
  for (let i = 0; i < src.length; i++) {
    out[i] = input[from];
    for (let k = nd - 1; k >= 0; k--) {
      index[k]++;
      from += strides[k];
      if (index[k] < shape[k]) break;
      from -= strides[k] * shape[k];
      index[k] = 0;
    }
  }
  return out as unknown as NdArrayData;
}

function resolveByteOrder(order: string, name: NdArrayDType): '<' | '>' | '|' {
  if (itemSize(name) === 1) return '|';
  if (order === '<' || order === '>') return order;
  return LITTLE_ENDIAN_PLATFORM ? '<' : '>'; // '=' native; '|' on a multi-byte type also means native to NumPy
}

/** A value for messages: strings quoted (cut at 40 characters), numbers as written, other values by type. */
function describeValue(v: unknown, ctx: NumpyDecodeContext): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return ctx.kindOf(v);
}
