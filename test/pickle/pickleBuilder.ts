/**
 * Pickle bytes built by hand for the tests: opcode-level pieces (`pk`) and a tiny writer (`dumps`) of
 * PYSKL-like data (dicts, lists, tuples, ints, strings and NumPy arrays via `_reconstruct` + BUILD).
 */

/** A piece of a pickle: a byte value, Latin-1 text (one byte per character), bytes, or a list of pieces. */
export type Part = number | string | Uint8Array | readonly Part[];

/** Concatenates pieces into pickle bytes. */
export function pk(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  const add = (p: Part): void => {
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > 255) throw new Error(`pk: byte ${p} out of range`);
      out.push(p);
    } else if (typeof p === 'string') {
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (c > 255) throw new Error(`pk: character ${c} is not Latin-1`);
        out.push(c);
      }
    } else if (p instanceof Uint8Array) {
      for (const b of p) out.push(b);
    } else {
      for (const q of p) add(q);
    }
  };
  parts.forEach(add);
  return Uint8Array.from(out);
}

const le = (n: number | bigint, bytes: number): number[] => {
  let v = BigInt.asUintN(8 * bytes, BigInt(n));
  const out: number[] = [];
  for (let i = 0; i < bytes; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
};

/** Little-endian 2-, 4- and 8-byte integers (two's complement for negatives). */
export const u16 = (n: number): number[] => le(n, 2);
export const u32 = (n: number): number[] => le(n, 4);
export const u64 = (n: number | bigint): number[] => le(n, 8);

/** Big-endian float64 (BINFLOAT). */
export function f64be(x: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, false);
  return [...b];
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export const PROTO2: Part = [0x80, 2];
export const PROTO4: Part = [0x80, 4];
export const STOP: Part = '.';
export const MARK: Part = '(';

/** Opcodes with their arguments. */
export const op = {
  binunicode: (s: string): Part => {
    const b = utf8(s);
    return ['X', u32(b.length), b];
  },
  shortUnicode: (s: string): Part => {
    const b = utf8(s);
    return [0x8c, b.length, b];
  },
  binunicode8: (s: string): Part => {
    const b = utf8(s);
    return [0x8d, u64(b.length), b];
  },
  binbytes: (b: Uint8Array): Part => ['B', u32(b.length), b],
  shortBinbytes: (b: Uint8Array): Part => ['C', b.length, b],
  binbytes8: (b: Uint8Array): Part => [0x8e, u64(b.length), b],
  bytearray8: (b: Uint8Array): Part => [0x96, u64(b.length), b],
  binint: (n: number): Part => ['J', u32(n)],
  binint1: (n: number): Part => ['K', n],
  binint2: (n: number): Part => ['M', u16(n)],
  long1: (bytes: number[]): Part => [0x8a, bytes.length, bytes],
  long4: (bytes: number[]): Part => [0x8b, u32(bytes.length), bytes],
  binfloat: (x: number): Part => ['G', f64be(x)],
  global: (module: string, name: string): Part => ['c', `${module}\n${name}\n`],
  stackGlobal: (module: string, name: string): Part => [op.shortUnicode(module), op.shortUnicode(name), 0x93],
  binput: (i: number): Part => ['q', i],
  binget: (i: number): Part => ['h', i],
};

/** Bit pattern of an IEEE binary16 value; throws unless `x` is exactly representable. */
export function halfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a < 2 ** -14) {
    const f = a / 2 ** -24;
    if (!Number.isInteger(f)) throw new Error(`halfBits: ${x} is not a float16 value`);
    return sign | f;
  }
  let e = 0;
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  const f = (a / 2 ** e - 1) * 1024;
  if (!Number.isInteger(f) || e > 15) throw new Error(`halfBits: ${x} is not a float16 value`);
  return sign | ((e + 15) << 10) | f;
}

/** A NumPy array to write: type string, shape and row-major values. */
export interface NdSpec {
  nd: 'f2' | 'f4' | 'f8' | 'i4' | 'i8' | 'b1';
  shape: number[];
  values: number[];
}

/** What {@link dumps} writes: ints, str, None, bools, lists, `{ tuple }`, dicts (Map) and arrays. */
export type Py = null | boolean | number | string | Py[] | { tuple: Py[] } | Map<string, Py> | NdSpec;

/** Little-endian element bytes of an array. */
export function arrayBytes(spec: NdSpec): Uint8Array {
  const size = { f2: 2, f4: 4, f8: 8, i4: 4, i8: 8, b1: 1 }[spec.nd];
  const b = new Uint8Array(spec.values.length * size);
  const dv = new DataView(b.buffer);
  spec.values.forEach((v, i) => {
    if (spec.nd === 'f2') dv.setUint16(i * 2, halfBits(v), true);
    else if (spec.nd === 'f4') dv.setFloat32(i * 4, v, true);
    else if (spec.nd === 'f8') dv.setFloat64(i * 8, v, true);
    else if (spec.nd === 'i4') dv.setInt32(i * 4, v, true);
    else if (spec.nd === 'i8') dv.setBigInt64(i * 8, BigInt(v), true);
    else b[i] = v;
  });
  return b;
}

/** A NumPy dtype object as NumPy pickles it (`dtype(typestr, False, True)` + BUILD of its state). */
export function dtypePart(typestr: string, order = '<'): Part {
  return [
    op.global('numpy', 'dtype'),
    op.binunicode(typestr),
    0x89,
    0x88,
    0x87,
    'R',
    MARK,
    op.binint1(3),
    op.binunicode(order),
    'N',
    'N',
    'N',
    op.binint(-1),
    op.binint(-1),
    op.binint1(0),
    't',
    'b',
  ];
}

/** A NumPy array as NumPy pickles it with protocols 3/4 (`_reconstruct` + BUILD with raw bytes). */
export function arrayPart(spec: NdSpec): Part {
  return [
    op.global('numpy.core.multiarray', '_reconstruct'),
    op.global('numpy', 'ndarray'),
    op.binint1(0),
    0x85,
    op.shortBinbytes(pk('b')),
    0x87,
    'R',
    MARK,
    op.binint1(1),
    MARK,
    spec.shape.map((d) => op.binint(d)),
    't',
    dtypePart(spec.nd, spec.nd === 'b1' ? '|' : '<'),
    0x89,
    op.binbytes(arrayBytes(spec)),
    't',
    'b',
  ];
}

function valuePart(v: Py): Part {
  if (v === null) return 'N';
  if (v === true) return 0x88;
  if (v === false) return 0x89;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return op.binfloat(v);
    return v >= -(2 ** 31) && v < 2 ** 31 ? op.binint(v) : op.long1(le(v, 8));
  }
  if (typeof v === 'string') return op.binunicode(v);
  if (Array.isArray(v)) return [']', MARK, v.map(valuePart), 'e'];
  if (v instanceof Map) return ['}', MARK, [...v].map(([k, x]) => [op.binunicode(k), valuePart(x)]), 'u'];
  if ('tuple' in v) return [MARK, v.tuple.map(valuePart), 't'];
  return arrayPart(v);
}

/** Pickles `v` (protocol 2 header; protocol 3+ opcodes for bytes). */
export function dumps(v: Py): Uint8Array {
  return pk(PROTO2, valuePart(v), STOP);
}

/** A Map from an object literal (dict keys in insertion order). */
export const dict = (o: Record<string, Py>): Map<string, Py> => new Map(Object.entries(o));

/**
 * A PYSKL annotation pickle whose annotation list references one annotation (`frames` frames, 17
 * joints, float16) `refs` times through the memo: about 5 bytes per extra reference.
 */
export function sharedAnnotationPickle(refs: number, frames: number): Uint8Array {
  const keypoint: NdSpec = { nd: 'f2', shape: [1, frames, 17, 2], values: new Array(frames * 34).fill(0.5) };
  const score: NdSpec = { nd: 'f2', shape: [1, frames, 17], values: new Array(frames * 17).fill(0.75) };
  const one = dumps(dict({ frame_dir: 'a', label: 0, total_frames: frames, keypoint, keypoint_score: score }));
  const annotation = one.subarray(2, one.length - 1); // without the protocol header and STOP
  const head = pk(PROTO2, '}', op.shortUnicode('annotations'), ']', MARK, annotation, 'r', u32(7));
  const get = pk('j', u32(7)); // LONG_BINGET 7
  const tail = pk('e', 's', STOP);
  const out = new Uint8Array(head.length + get.length * (refs - 1) + tail.length);
  out.set(head);
  for (let i = 0; i < refs - 1; i++) out.set(get, head.length + get.length * i);
  out.set(tail, out.length - tail.length);
  return out;
}
