import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { float16ToFloat32 } from '../../src/pickle/numpyArrays.js';
import { ALLOWED_PICKLE_GLOBALS, unpickle, type PickleValue, type UnpickleOptions } from '../../src/pickle/unpickle.js';
import { MARK, PROTO2, PROTO4, STOP, arrayBytes, arrayPart, dtypePart, halfBits, op, pk, u16, u32, u64, type Part } from './pickleBuilder.js';

const FIXTURES = new URL('../fixtures/pickle/', import.meta.url).pathname;
const PYSKL = new URL('../../../shared/fixtures/pyskl/', import.meta.url).pathname;
const hasPyskl = existsSync(`${PYSKL}utk6_3d_p2.pkl`);

const fixture = (name: string) => new Uint8Array(readFileSync(`${FIXTURES}${name}`));
const load = (...parts: Part[]) => unpickle(pk(...parts));

/** The message of the Ske2GridError that `unpickle(bytes)` throws. */
function errorOf(bytes: Uint8Array, options?: UnpickleOptions): string {
  try {
    unpickle(bytes, options);
  } catch (e) {
    expect(e).toBeInstanceOf(Ske2GridError);
    expect((e as Error).message).toMatch(/^pickle: /);
    return (e as Error).message;
  }
  throw new Error('expected unpickle to throw');
}

const nd = (dtype: string, shape: number[], data: ArrayLike<number> | ArrayLike<bigint>, ctor: new (a: never) => unknown) => ({
  kind: 'ndarray',
  dtype,
  shape,
  data: new ctor(Array.from(data as ArrayLike<number>) as never),
});

/** What make_pickles.py writes as mixed_p*.pkl. */
const MIXED = new Map<PickleValue, PickleValue>([
  ['none', null],
  ['bools', [true, false]],
  ['ints', [0, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1)]],
  ['floats', [1.5, -0, Infinity, NaN, 1e-300]],
  ['text', 'a\\b\nc\r\x00\x1a\u20ac\u{1f600} \xe9'],
  ['bytes', Uint8Array.of(0, 92, 10, 255)],
  ['empty_bytes', new Uint8Array(0)],
  ['bytearray', Uint8Array.of(97, 98)],
  ['set', new Set([1])],
  ['frozenset', new Set([2])],
  [
    'ordered',
    new Map<PickleValue, PickleValue>([
      ['x', 1],
      ['y', [2]],
    ]),
  ],
  ['nested', [1, [2, 3], [4, new Map([['k', 'v']])]]],
  ['array', nd('float16', [2, 3], [0, 0.25, 0.5, 0.75, 1, 1.25], Float32Array) as PickleValue],
  ['scalar', 7],
]);

const F16 = [0, -0, 1, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity, 0.0999755859375];

/** What make_pickles.py writes as arrays_p*.pkl (int64 data read as numbers). */
const ARRAYS: Record<string, unknown> = {
  bool: nd('bool', [3], [1, 0, 1], Uint8Array),
  i1: nd('int8', [3], [-128, 0, 127], Int8Array),
  u1: nd('uint8', [3], [0, 200, 255], Uint8Array),
  i2_be: nd('int16', [2], [-2, 300], Int16Array),
  u2: nd('uint16', [2], [65535, 1], Uint16Array),
  i4: nd('int32', [2], [-(2 ** 31), 2 ** 31 - 1], Int32Array),
  u4_be: nd('uint32', [2], [2 ** 32 - 1, 7], Uint32Array),
  i8: nd('int64', [3], [-(2 ** 53 - 1), 2 ** 53 - 1, -1], Float64Array),
  u8_be: nd('uint64', [2], [2 ** 53 - 1, 3], Float64Array),
  f2: nd('float16', [9], F16, Float32Array),
  f2_be: nd('float16', [9], F16, Float32Array),
  f2_nan: nd('float16', [1], [NaN], Float32Array),
  f4_be: nd('float32', [2], [1.5, -2.25], Float32Array),
  f8: nd('float64', [2], [1 / 3, -1e300], Float64Array),
  fortran: nd(
    'int32',
    [2, 3, 4],
    Array.from({ length: 24 }, (_, i) => i),
    Int32Array,
  ),
  zero_d: nd('float32', [], [3.5], Float32Array),
  empty: nd('float32', [0, 3], [], Float32Array),
  scalar_f4: 2.5,
  scalar_bool: true,
  scalar_u1: 200,
  scalar_f2: -0.5,
};

describe('unpickle: pickles written by Python 3 / NumPy 2 (test/fixtures/pickle)', () => {
  for (const protocol of [0, 1, 2, 3, 4, 5]) {
    it(`reads plain values, a float16 array and an int64 scalar, protocol ${protocol}`, () => {
      const v = unpickle(fixture(`mixed_p${protocol}.pkl`)) as Map<PickleValue, PickleValue>;
      expect(v).toEqual(MIXED);
      expect(Object.isFrozen(v.get('bools'))).toBe(true); // tuples are frozen arrays
      expect(Object.isFrozen(v.get('ints'))).toBe(false); // lists are not
      expect(Object.isFrozen((v.get('nested') as PickleValue[])[1])).toBe(true);
      expect(Object.isFrozen((v.get('nested') as PickleValue[])[2])).toBe(false);
    });
  }

  for (const protocol of [2, 4, 5]) {
    it(`decodes every dtype, byte order, Fortran order, 0-d and empty arrays and scalars, protocol ${protocol}`, () => {
      const v = unpickle(fixture(`arrays_p${protocol}.pkl`)) as Map<string, PickleValue>;
      expect(Object.fromEntries(v)).toEqual(ARRAYS);
      const f2 = v.get('f2') as { data: Float32Array };
      expect(Object.is(f2.data[1], -0)).toBe(true);
      expect(f2.data[4]).toBe(2 ** -24); // smallest subnormal
    });
  }

  it('reads 64-bit integers beyond 2^53 only when asked to, naming the option', () => {
    const bytes = fixture('int64_big_p4.pkl');
    expect(errorOf(bytes)).toMatch(/element 0 = 4611686018427387904 does not fit a JS number exactly \(use int64: 'bigint'\)/);
    expect(errorOf(bytes, { int64: 'bigint' })).toMatch(/scalar 1152921504606846976 does not fit .*bigInts: 'bigint'/);
    const v = unpickle(bytes, { int64: 'bigint', bigInts: 'bigint' }) as Map<string, PickleValue>;
    expect(v.get('i8')).toEqual({ kind: 'ndarray', dtype: 'int64', shape: [3], data: BigInt64Array.of(2n ** 62n, -(2n ** 62n), 5n) });
    expect(v.get('u8')).toEqual({ kind: 'ndarray', dtype: 'uint64', shape: [1], data: BigUint64Array.of(2n ** 64n - 1n) });
    expect(v.get('scalar')).toBe(2n ** 60n);
  });

  it.skipIf(!hasPyskl)('reads the PYSKL fixtures (numpy.core names, protocols 2 and 4) to identical values [needs ../shared/fixtures/pyskl]', () => {
    for (const kind of ['2d', '3d']) {
      const p2 = unpickle(new Uint8Array(readFileSync(`${PYSKL}utk6_${kind}_p2.pkl`)));
      const p4 = unpickle(new Uint8Array(readFileSync(`${PYSKL}utk6_${kind}_p4.pkl`)));
      expect(p2).toEqual(p4);
      const first = ((p2 as Map<string, PickleValue>).get('annotations') as Map<string, PickleValue>[])[0];
      expect(first.get('frame_dir')).toBe('s01_e01_walk');
      expect(first.get('keypoint')).toMatchObject({ kind: 'ndarray', dtype: 'float32', shape: [1, 46, 20, kind === '2d' ? 2 : 3] });
    }
  });
});

describe('unpickle: opcode families', () => {
  it('protocol 0 text opcodes: UNICODE escapes, INT/LONG/FLOAT lines, quoted STRING, PUT/GET, TUPLE, DICT', () => {
    const v = load(
      '(lp0\n',
      'Va\\u005cb\\U0001f600\\\\u\np1\na',
      'I01\naI00\naI-42\naL12345678901234L\naF-1.5e3\naFinf\naF-inf\na',
      "S'a\\'b\\x41\\101\\n\\q'\na",
      'S"x"\na',
      'g1\na',
      '(I1\nI2\nta',
      '(dp9\nVk\nI3\nsa',
      STOP,
    );
    expect(v).toEqual([
      'a\\b\u{1f600}\\\\u',
      true,
      false,
      -42,
      12345678901234,
      -1500,
      Infinity,
      -Infinity,
      "a'bAA\n\\q",
      'x',
      'a\\b\u{1f600}\\\\u',
      [1, 2],
      new Map([['k', 3]]),
    ]);
  });

  it('Python 2 byte strings (BINSTRING, SHORT_BINSTRING) read as Latin-1 text', () => {
    expect(load(PROTO2, ']', MARK, 'T', u32(3), 'ab\xe9', 'U', 1, 'z', 'e', STOP)).toEqual(['ab\xe9', 'z']);
  });

  it("integers: BININT, BININT1, BININT2, LONG1, LONG4 (two's complement), big ones as bigint on request", () => {
    const small = load(
      PROTO2,
      ']',
      MARK,
      op.binint(-7),
      op.binint1(255),
      op.binint2(65535),
      op.long1([]),
      op.long1([0xff]),
      op.long1([0x00, 0x80]),
      op.long1([0x00, 0x80, 0x00]),
      op.long4(u64(2 ** 53 - 1)),
      op.long4(u64(-(2 ** 53 - 1))),
      'e',
      STOP,
    );
    expect(small).toEqual([-7, 255, 65535, 0, -1, -32768, 32768, 2 ** 53 - 1, -(2 ** 53 - 1)]);
    const big = pk(
      PROTO2,
      ']',
      MARK,
      op.long1(u64(2n ** 53n)),
      op.long4([0, 0, 0, 0, 0, 0, 0, 0, 1]),
      op.long1(u64(-(2n ** 63n))),
      'L123456789012345678L\n',
      'e',
      STOP,
    );
    expect(errorOf(big)).toBe("pickle: integer 9007199254740992 does not fit a JS number exactly (use the option bigInts: 'bigint') (LONG1 at byte 4)");
    expect(unpickle(big, { bigInts: 'bigint' })).toEqual([2n ** 53n, 2n ** 64n, -(2n ** 63n), 123456789012345678n]);
    expect(errorOf(pk('I', '1'.repeat(5000), '\n.'))).toMatch(/integer literal of 5000 characters exceeds 4300 digits \(INT at byte 0\)/);
    expect(errorOf(pk(op.long4(new Array(2000).fill(1)), STOP))).toMatch(/integer of 2000 bytes is longer than the 1024 supported \(LONG4 at byte 0\)/);
    expect(errorOf(pk('I12a\n.'))).toMatch(/malformed integer "12a" \(INT at byte 0\)/);
  });

  it('floats: BINFLOAT (big endian) and FLOAT lines', () => {
    expect(load(']', MARK, op.binfloat(1.5), op.binfloat(-0), 'Fnan\n', 'F1e5\n', 'F.5\n', 'e', STOP)).toEqual([1.5, -0, NaN, 100000, 0.5]);
    expect(errorOf(pk('F0x10\n.'))).toMatch(/malformed float "0x10" \(FLOAT at byte 0\)/);
  });

  it('text: SHORT_BINUNICODE, BINUNICODE, BINUNICODE8, surrogatepass, BOM and U+FFFD kept; invalid UTF-8 rejected', () => {
    const v = load(
      PROTO4,
      ']',
      MARK,
      op.shortUnicode('\u20ac\u{1f600}'),
      op.binunicode('\xe9'),
      op.binunicode8('ok'),
      'X',
      u32(3),
      [0xed, 0xa0, 0x80],
      'X',
      u32(3),
      [0xef, 0xbb, 0xbf],
      'X',
      u32(3),
      [0xef, 0xbf, 0xbd],
      'e',
      STOP,
    );
    expect(v).toEqual(['\u20ac\u{1f600}', '\xe9', 'ok', '\ud800', '\ufeff', '\ufffd']);
    expect(errorOf(pk(PROTO4, 'X', u32(1), [0xff], STOP))).toBe('pickle: invalid UTF-8 text (BINUNICODE at byte 2)');
    expect(errorOf(pk(PROTO4, 'X', u32(2), [0xc0, 0x80], STOP))).toMatch(/invalid UTF-8 text/);
    expect(errorOf(pk('V\\u12\n.'))).toMatch(/truncated \\uXXXX escape in the UNICODE argument \(UNICODE at byte 0\)/);
    expect(errorOf(pk('V\\U00110000\n.'))).toMatch(/beyond U\+10FFFF/);
    expect(errorOf(pk("S'abc\n."))).toMatch(/the STRING argument must be quoted/);
    expect(errorOf(pk("S'\\x4'\n."))).toMatch(/invalid \\x escape/);
  });

  it('bytes: SHORT_BINBYTES, BINBYTES, BINBYTES8, BYTEARRAY8 (+ READONLY_BUFFER)', () => {
    const v = load(
      [0x80, 5],
      ']',
      MARK,
      op.shortBinbytes(Uint8Array.of(1, 2)),
      op.binbytes(Uint8Array.of(3)),
      op.binbytes8(new Uint8Array(0)),
      op.bytearray8(Uint8Array.of(9)),
      0x98,
      'e',
      STOP,
    );
    expect(v).toEqual([Uint8Array.of(1, 2), Uint8Array.of(3), new Uint8Array(0), Uint8Array.of(9)]);
  });

  it('lists, tuples, dicts and sets: every building opcode', () => {
    expect(load(']', 'K', 1, 'a', MARK, 'K', 2, 'K', 3, 'e', STOP)).toEqual([1, 2, 3]);
    expect(load(MARK, 'K', 1, 'l', STOP)).toEqual([1]);
    const tuples = load(MARK, ')', 'K', 1, 0x85, 'K', 1, 'K', 2, 0x86, 'K', 1, 'K', 2, 'K', 3, 0x87, MARK, 'K', 4, 't', 'l', STOP) as PickleValue[][];
    expect(tuples).toEqual([[], [1], [1, 2], [1, 2, 3], [4]]);
    expect(tuples.every((t) => Object.isFrozen(t))).toBe(true);
    expect(load('}', op.binunicode('a'), 'K', 1, 's', MARK, 'K', 2, 'N', 'K', 3, 0x88, 'u', STOP)).toEqual(
      new Map<PickleValue, PickleValue>([
        ['a', 1],
        [2, null],
        [3, true],
      ]),
    );
    expect(load(MARK, 'K', 1, 'K', 2, 'd', STOP)).toEqual(new Map([[1, 2]]));
    expect(load(0x8f, MARK, 'K', 1, 'K', 2, 'K', 1, 0x90, STOP)).toEqual(new Set([1, 2]));
    expect(load(MARK, 'K', 3, 0x91, STOP)).toEqual(new Set([3]));
    expect(load(MARK, 'K', 1, 'K', 2, 't', 'K', 5, 0x86, MARK, 0x91, 0x86, STOP)).toEqual([[[1, 2], 5], new Set()]);
  });

  it('POP, POP_MARK and DUP follow Python (POP on an empty mark frame pops the MARK)', () => {
    expect(load(']', 'K', 1, '0', 'K', 2, 'a', STOP)).toEqual([2]);
    expect(load(']', MARK, '0', 'K', 7, 'a', STOP)).toEqual([7]);
    expect(load(']', MARK, 'K', 9, 'K', 9, '1', 'K', 8, 'a', STOP)).toEqual([8]);
    expect(load(MARK, 'K', 5, '2', 'l', STOP)).toEqual([5, 5]);
  });

  it('memo: BINPUT/BINGET, PUT/GET, LONG_BINPUT/LONG_BINGET, MEMOIZE; shared objects stay shared', () => {
    const v = load(
      PROTO4,
      ']',
      0x94,
      MARK,
      ']',
      'q',
      3,
      'h',
      3,
      'K',
      8,
      'p12\n',
      'g12\n',
      op.shortUnicode('s'),
      'r',
      u32(70000),
      'j',
      u32(70000),
      op.shortUnicode('t'),
      0x94,
      'h',
      4,
      'e',
      STOP,
    ) as PickleValue[];
    expect(v).toEqual([[], [], 8, 8, 's', 's', 't', 't']);
    expect(v[0]).toBe(v[1]);
    expect(errorOf(pk('h', 7))).toBe('pickle: memo has no entry 7 (BINGET at byte 0)');
    expect(errorOf(pk('N', 'p-1\n'))).toMatch(/memo index must be a non-negative integer, got "-1" \(PUT at byte 1\)/);
  });

  it('allowed globals build plain containers: GLOBAL/STACK_GLOBAL + REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST', () => {
    const g = op.global;
    expect(load(PROTO2, g('__builtin__', 'set'), ']', 'K', 1, 'a', 'K', 2, 'a', 0x85, 'R', STOP)).toEqual(new Set([1, 2]));
    expect(load(PROTO4, op.stackGlobal('builtins', 'frozenset'), MARK, 'K', 3, 't', 0x85, 'R', STOP)).toEqual(new Set([3]));
    expect(load(g('builtins', 'list'), MARK, 'K', 1, 'K', 2, 't', 0x85, 'R', STOP)).toEqual([1, 2]);
    const tuple = load(g('builtins', 'tuple'), ']', 'K', 1, 'a', 0x85, 'R', STOP);
    expect(tuple).toEqual([1]);
    expect(Object.isFrozen(tuple)).toBe(true);
    expect(load(g('builtins', 'dict'), ']', 'K', 1, 'K', 2, 0x86, 'a', 0x85, 'R', STOP)).toEqual(new Map([[1, 2]]));
    expect(load(g('collections', 'OrderedDict'), ')', 'R', op.binunicode('x'), 'K', 1, 's', STOP)).toEqual(new Map([['x', 1]]));
    expect(load(g('__builtin__', 'bytes'), ')', 'R', STOP)).toEqual(new Uint8Array(0));
    expect(load(g('builtins', 'bytearray'), op.shortBinbytes(pk('ab')), 0x85, 'R', STOP)).toEqual(Uint8Array.of(97, 98));
    expect(load(g('builtins', 'bytearray'), op.binunicode('ab'), op.binunicode('latin-1'), 0x86, 'R', STOP)).toEqual(Uint8Array.of(97, 98));
    expect(load(g('builtins', 'bytes'), ']', 'K', 1, 'a', 'K', 2, 'a', 0x85, 'R', STOP)).toEqual(Uint8Array.of(1, 2));
    expect(load(g('_codecs', 'encode'), op.binunicode('\xe9\xff'), op.binunicode('latin1'), 0x86, 'R', STOP)).toEqual(Uint8Array.of(0xe9, 0xff));
    expect(load(g('_codecs', 'encode'), op.binunicode('\xe9'), 0x85, 'R', STOP)).toEqual(Uint8Array.of(0xc3, 0xa9));
    expect(load(op.stackGlobal('builtins', 'list'), ')', 0x81, 'K', 1, 'a', STOP)).toEqual([1]);
    expect(load(op.stackGlobal('builtins', 'dict'), ')', '}', 0x92, STOP)).toEqual(new Map());
    expect(load(MARK, g('builtins', 'set'), ']', 'K', 1, 'a', 'o', STOP)).toEqual(new Set([1]));
    expect(load(MARK, ']', 'K', 4, 'a', 'ibuiltins\nfrozenset\n', STOP)).toEqual(new Set([4]));
  });

  it('constructor calls reject what Python would, and anything that would allocate from a number', () => {
    const g = op.global;
    expect(errorOf(pk(g('builtins', 'bytearray'), 'J', u32(1e9), 0x85, 'R', STOP))).toMatch(
      /builtins\.bytearray needs bytes, a str with an encoding or a list of ints, got int \(REDUCE at byte 26\)/,
    );
    expect(errorOf(pk(g('builtins', 'bytes'), ']', 'M', u16(256), 'a', 0x85, 'R', STOP))).toMatch(/needs ints in 0\.\.255/);
    expect(errorOf(pk(g('builtins', 'bytes'), op.binunicode('ab'), 0x85, 'R', STOP))).toMatch(/builtins\.bytes of a str needs an encoding/);
    expect(errorOf(pk(g('_codecs', 'encode'), op.binunicode('\u20ac'), op.binunicode('latin1'), 0x86, 'R', STOP))).toMatch(
      /character U\+20ac at index 0 is not latin1/,
    );
    expect(errorOf(pk(g('_codecs', 'encode'), op.binunicode('x'), op.binunicode('cp1252'), 0x86, 'R', STOP))).toMatch(/encoding "cp1252" is not supported/);
    expect(errorOf(pk(g('numpy', 'ndarray'), ')', 'R', STOP))).toMatch(/numpy\.ndarray cannot be called/);
    expect(errorOf(pk(op.binunicode('x'), ')', 'R', STOP))).toMatch(/only allowed globals can be called, got str \(REDUCE at byte 7\)/);
    expect(errorOf(pk(g('builtins', 'set'), ']', 'R', STOP))).toMatch(/REDUCE needs an argument tuple, got list/);
    expect(errorOf(pk(op.stackGlobal('numpy', 'dtype'), ')', 0x81, STOP))).toMatch(/numpy\.dtype cannot be created by NEWOBJ/);
    expect(errorOf(pk(op.stackGlobal('builtins', 'dict'), ')', '}', 'K', 1, 'K', 1, 's', 0x92, STOP))).toMatch(/NEWOBJ_EX keyword arguments are not supported/);
  });

  it('BUILD: an empty state is accepted on any object, a real one only on NumPy arrays and dtypes', () => {
    expect(load(']', '}', 'b', STOP)).toEqual([]);
    expect(load(']', 'N', 'b', STOP)).toEqual([]);
    expect(errorOf(pk(']', '}', op.binunicode('a'), 'K', 1, 's', 'b', STOP))).toMatch(
      /BUILD with a state on list is not supported \(only NumPy arrays and dtypes take one\) \(BUILD at byte 11\)/,
    );
  });

  it('FRAME is checked against the bytes left and otherwise transparent', () => {
    expect(load(PROTO4, 0x95, u64(3), 'K', 1, STOP)).toBe(1);
    expect(errorOf(pk(PROTO4, 0x95, u64(100), 'K', 1, STOP))).toBe('pickle: declared length 100 is larger than the 3 bytes left (FRAME at byte 2)');
  });

  it('NumPy arrays hand-built: Fortran order, big-endian float16, size mismatches, unsupported dtypes', () => {
    const reconstruct = [
      op.global('numpy.core.multiarray', '_reconstruct'),
      op.global('numpy', 'ndarray'),
      op.binint1(0),
      0x85,
      op.shortBinbytes(pk('b')),
      0x87,
      'R',
    ];
    const state = (shape: number[], dtype: Part, fortran: boolean, data: Uint8Array): Part => [
      MARK,
      op.binint1(1),
      MARK,
      shape.map((d) => op.binint(d)),
      't',
      dtype,
      fortran ? 0x88 : 0x89,
      op.binbytes(data),
      't',
      'b',
    ];
    const fortranData = arrayBytes({ nd: 'i4', shape: [6], values: [0, 3, 1, 4, 2, 5] }); // [[0, 1, 2], [3, 4, 5]] column-major
    expect(load(PROTO2, reconstruct, state([2, 3], dtypePart('i4'), true, fortranData), STOP)).toEqual(nd('int32', [2, 3], [0, 1, 2, 3, 4, 5], Int32Array));
    const beHalf = Uint8Array.of(0x3c, 0x00, 0x80, 0x01, 0x7c, 0x00); // 1, -2^-24, inf
    expect(load(PROTO2, reconstruct, state([3], dtypePart('f2', '>'), false, beHalf), STOP)).toEqual(
      nd('float16', [3], [1, -(2 ** -24), Infinity], Float32Array),
    );
    expect(load(PROTO2, arrayPart({ nd: 'b1', shape: [2, 1], values: [1, 0] }), STOP)).toEqual(nd('bool', [2, 1], [1, 0], Uint8Array));

    expect(errorOf(pk(PROTO2, reconstruct, state([2], dtypePart('f4'), false, new Uint8Array(12)), STOP))).toBe(
      'pickle: numpy array data is 12 bytes, but shape [2] of float32 (4 bytes each) needs 8 (BUILD at byte 140)',
    );
    expect(errorOf(pk(PROTO2, reconstruct, state([2 ** 30, 2 ** 30, 2 ** 30], dtypePart('f8'), false, new Uint8Array(8)), STOP))).toMatch(
      /numpy array data is 8 bytes, but shape \[1073741824, 1073741824, 1073741824\] of float64 \(8 bytes each\) needs/,
    );
    expect(errorOf(pk(PROTO2, dtypePart('U5'), STOP))).toMatch(
      /numpy dtype "U5" is not supported; supported: b1, i1, i2, i4, i8, u1, u2, u4, u8, f2, f4, f8 \(REDUCE at byte \d+\)/,
    );
    expect(errorOf(pk(PROTO2, dtypePart('c8'), STOP))).toMatch(/numpy dtype "c8" is not supported/);
    const structured = [
      op.global('numpy', 'dtype'),
      op.binunicode('f4'),
      0x89,
      0x88,
      0x87,
      'R',
      MARK,
      op.binint1(3),
      op.binunicode('<'),
      'N',
      ')',
      '}',
      't',
      'b',
    ];
    expect(errorOf(pk(PROTO2, structured, STOP))).toMatch(/subarray or fields \(structured dtype\) is not supported \(BUILD at byte/);
    const wrongSubtype = [
      op.global('numpy.core.multiarray', '_reconstruct'),
      op.global('builtins', 'list'),
      op.binint1(0),
      0x85,
      op.shortBinbytes(pk('b')),
      0x87,
      'R',
    ];
    expect(errorOf(pk(PROTO2, wrongSubtype, STOP))).toMatch(/_reconstruct subtype must be numpy\.ndarray, got global builtins\.list/);
    const bigShape = [
      op.global('numpy.core.multiarray', '_reconstruct'),
      op.global('numpy', 'ndarray'),
      op.binint(5),
      0x85,
      op.shortBinbytes(pk('b')),
      0x87,
      'R',
    ];
    expect(errorOf(pk(PROTO2, bigShape, STOP))).toMatch(/_reconstruct shape must be empty \(a 0 dimension\), got \[5\]/);
    const objectArray = [MARK, op.binint1(1), MARK, op.binint(1), 't', dtypePart('f4'), 0x89, ']', 't', 'b'];
    expect(errorOf(pk(PROTO2, reconstruct, objectArray, STOP))).toMatch(/object arrays are not supported/);
  });
});

describe('unpickle: rejections', () => {
  it('rejects a global that is not allowed, at the GLOBAL opcode, naming it and the allow-list', () => {
    const message = errorOf(pk(PROTO2, 'cos\nsystem\n', MARK, op.binunicode('ls'), 't', 'R', STOP));
    expect(message).toBe(`pickle: global "os.system" is not allowed (GLOBAL at byte 2); allowed: ${ALLOWED_PICKLE_GLOBALS.join(', ')}`);
    expect(message).toContain('numpy.core.multiarray._reconstruct, numpy._core.multiarray._reconstruct, numpy.ndarray, numpy.dtype');
  });

  it.each([
    ['builtins', 'eval'],
    ['__builtin__', 'eval'],
    ['builtins', 'exec'],
    ['builtins', 'getattr'],
    ['builtins', '__import__'],
    ['subprocess', 'Popen'],
    ['subprocess', 'check_output'],
    ['posix', 'system'],
    ['nt', 'system'],
    ['copyreg', '_reconstructor'],
    ['pickle', 'loads'],
    ['numpy', 'load'],
    ['numpy.core.multiarray', 'fromstring'],
    ['torch._utils', '_rebuild_tensor_v2'],
    ['collections', 'defaultdict'],
  ])('rejects %s.%s by STACK_GLOBAL, GLOBAL and INST', (module, name) => {
    const at = 2 + 2 + module.length + 2 + name.length;
    expect(errorOf(pk(PROTO4, op.stackGlobal(module, name), ')', 'R', STOP))).toMatch(
      new RegExp(`^pickle: global "${module}\\.${name}" is not allowed \\(STACK_GLOBAL at byte ${at}\\); allowed: `),
    );
    expect(errorOf(pk(op.global(module, name), STOP))).toMatch(/is not allowed \(GLOBAL at byte 0\)/);
    expect(errorOf(pk(MARK, `i${module}\n${name}\n`, STOP))).toMatch(/is not allowed \(INST at byte 1\)/);
  });

  it('rejects unknown opcodes naming the byte value and offset', () => {
    expect(errorOf(pk(PROTO2, 0xff))).toBe('pickle: unknown opcode 0xff at byte 2');
    expect(errorOf(pk(0x00))).toBe('pickle: unknown opcode 0x00 at byte 0');
    expect(errorOf(pk(']', 'A'))).toBe('pickle: unknown opcode 0x41 at byte 1');
  });

  it('rejects persistent ids, extension codes, out-of-band buffers and protocols above 5', () => {
    expect(errorOf(pk('P1\n.'))).toBe('pickle: persistent IDs are not supported (PERSID at byte 0)');
    expect(errorOf(pk('N', 'Q', STOP))).toBe('pickle: persistent IDs are not supported (BINPERSID at byte 1)');
    expect(errorOf(pk(0x82, 1, STOP))).toBe('pickle: extension registry codes are not supported (EXT1 at byte 0)');
    expect(errorOf(pk([0x80, 5], 0x97, STOP))).toBe('pickle: out-of-band buffers are not supported (NEXT_BUFFER at byte 2)');
    expect(errorOf(pk([0x80, 6], 'N', STOP))).toBe('pickle: pickle protocol 6 is not supported (0 to 5 are) (PROTO at byte 0)');
  });

  it('rejects malformed stack use and a missing or misplaced STOP', () => {
    expect(errorOf(new Uint8Array(0))).toBe('pickle: the data ends at byte 0 without a STOP opcode');
    expect(errorOf(pk(PROTO2, 'N'))).toBe('pickle: the data ends at byte 3 without a STOP opcode');
    expect(errorOf(pk('a'))).toBe('pickle: stack underflow (APPEND at byte 0)');
    expect(errorOf(pk(']', MARK, 'a'))).toBe('pickle: stack underflow (nothing above the last MARK) (APPEND at byte 2)');
    expect(errorOf(pk('1'))).toBe('pickle: no MARK on the stack (POP_MARK at byte 0)');
    expect(errorOf(pk('}', MARK, 'K', 1, 'u', STOP))).toMatch(/dict items come in key\/value pairs, got 1 values \(SETITEMS at byte 4\)/);
    expect(errorOf(pk(')', 'K', 1, 'a', STOP))).toMatch(/appending needs a list on the stack, got tuple \(APPEND at byte 3\)/);
    expect(errorOf(pk('K', 1, 'K', 1, 'K', 1, 's', STOP))).toMatch(/setting items needs a dict on the stack, got int \(SETITEM at byte 6\)/);
    expect(errorOf(pk('N', MARK, 'K', 1, 0x90, STOP))).toMatch(/ADDITEMS needs a set on the stack, got None/);
    expect(errorOf(pk('}', ']', 'K', 1, 's', STOP))).toMatch(/unhashable list used as a dict key or set member \(SETITEM at byte 4\)/);
    expect(errorOf(pk(0x8f, MARK, '}', 0x90, STOP))).toMatch(/unhashable dict used as a dict key or set member/);
    expect(errorOf(pk('N', 'N', STOP))).toBe('pickle: 2 values on the stack; expected exactly 1 (STOP at byte 2)');
    expect(errorOf(pk(STOP))).toBe('pickle: 0 values on the stack; expected exactly 1 (STOP at byte 0)');
    expect(errorOf(pk(MARK, 'N', STOP))).toBe('pickle: 1 MARK(s) still open (STOP at byte 2)');
    expect(errorOf(pk(op.shortUnicode('os'), 'K', 1, 0x93, STOP))).toMatch(/STACK_GLOBAL needs two str on the stack, got str and int/);
    expect(errorOf(pk('Vno newline'))).toBe('pickle: the argument line has no terminating newline (UNICODE at byte 0)');
  });
});

describe('unpickle: limits', () => {
  it('refuses a declared length beyond the bytes left before allocating anything', () => {
    expect(errorOf(pk(PROTO4, 0x8d, u64(2 ** 40), 'x'))).toBe('pickle: declared length 1099511627776 is larger than the 1 bytes left (BINUNICODE8 at byte 2)');
    expect(errorOf(pk(PROTO4, 0x8e, u64(2n ** 63n), 'x'))).toBe(
      'pickle: declared length 9223372036854775808 is larger than the 1 bytes left (BINBYTES8 at byte 2)',
    );
    expect(errorOf(pk(PROTO4, 0x96, u64(2n ** 64n - 1n)))).toMatch(
      /declared length 18446744073709551615 is larger than the 0 bytes left \(BYTEARRAY8 at byte 2\)/,
    );
    expect(errorOf(pk('X', u32(0xffffffff), 'abc'))).toBe('pickle: declared length 4294967295 is larger than the 3 bytes left (BINUNICODE at byte 0)');
    expect(errorOf(pk('B', u32(5), 'abcd'))).toBe('pickle: declared length 5 is larger than the 4 bytes left (BINBYTES at byte 0)');
    expect(errorOf(pk(0x8c, 200, 'a'))).toBe('pickle: declared length 200 is larger than the 1 bytes left (SHORT_BINUNICODE at byte 0)');
    expect(errorOf(pk('T', u32(-1), 'a'))).toBe('pickle: negative length -1 (BINSTRING at byte 0)');
    expect(errorOf(pk(0x8b, u32(-5)))).toBe('pickle: negative length -5 (LONG4 at byte 0)');
    expect(errorOf(pk('J', 1, 2))).toBe('pickle: the argument needs 4 bytes but only 2 remain (BININT at byte 0)');
  });

  it('bounds nesting depth (default 100, option maxDepth), also through shared memoized containers', () => {
    const tuples = (n: number) => pk('N', new Array(n).fill(0x85), STOP);
    let v = unpickle(tuples(100));
    for (let i = 0; i < 100; i++) v = (v as PickleValue[])[0];
    expect(v).toBe(null);
    expect(errorOf(tuples(101))).toMatch(/^pickle: data nested deeper than maxDepth = 100 \(TUPLE1 at byte \d+\)$/);
    expect(unpickle(pk(']', ']', ']', 'K', 1, 'a', 'a', 'a', STOP), { maxDepth: 3 })).toEqual([[[1]]]);
    expect(errorOf(pk(']', ']', ']', ']', 'a', 'a', 'a', STOP), { maxDepth: 3 })).toMatch(/nested deeper than maxDepth = 3 \(EMPTY_LIST at byte 3\)/);
    // outer = [x, [x]] with x = [[[]]] (height 3) built first: height 5.
    const shared = pk(']', ']', ']', ']', 'a', 'a', 'q', 0, 'a', ']', 'h', 0, 'a', 'a', STOP);
    const ok = unpickle(shared, { maxDepth: 5 }) as PickleValue[][];
    expect(ok[1][0]).toBe(ok[0]);
    expect(errorOf(shared, { maxDepth: 4 })).toMatch(/nested deeper than maxDepth = 4/);
  });

  it('rejects reference cycles', () => {
    expect(errorOf(pk(']', 'q', 0, 'h', 0, 'a', STOP))).toBe(
      'pickle: a container holds itself (reference cycle); cycles are not supported (EMPTY_LIST at byte 0)',
    );
    expect(errorOf(pk('}', 'q', 0, 'K', 1, ']', 'h', 0, 'a', 's', STOP))).toMatch(/reference cycle/);
  });

  it('bounds the number of values (default: the input length, so repeated container copies cannot blow up)', () => {
    const tenInts = pk(']', MARK, new Array(10).fill(['K', 1]), 'e', STOP);
    expect(unpickle(tenInts)).toEqual(new Array(10).fill(1));
    expect(errorOf(tenInts, { maxObjects: 5 })).toBe('pickle: more than maxObjects = 5 values (BININT1 at byte 10)');
    // list(L) of a 60-element L, called 100 times through the memo: 6000 copies from ~750 bytes.
    const copies = pk(
      ']',
      'q',
      0,
      MARK,
      Array.from({ length: 60 }, (_, i) => ['K', i]),
      'e',
      op.global('builtins', 'list'),
      'q',
      1,
      '0',
      'h',
      0,
      0x85,
      'q',
      2,
      '0',
      new Array(100).fill(['h', 1, 'h', 2, 'R', '0']),
      STOP,
    );
    expect(errorOf(copies)).toMatch(/more than maxObjects = \d+ values \(REDUCE at byte \d+\)/);
    expect(unpickle(copies, { maxObjects: 100_000 })).toHaveLength(60);
  });

  it('bounds NumPy array elements (default: the input length, so a re-used array state cannot blow up)', () => {
    const spec = { nd: 'f4' as const, shape: [64], values: Array.from({ length: 64 }, (_, i) => i) };
    const once = pk(PROTO2, arrayPart(spec), STOP);
    expect(unpickle(once)).toEqual(nd('float32', [64], spec.values, Float32Array));
    expect(errorOf(once, { maxArrayElements: 63 })).toMatch(/more than maxArrayElements = 63 NumPy array elements \(BUILD at byte \d+\)/);
    // _reconstruct(...) + BUILD with the same memoized 256-byte state, 200 times: 12800 elements.
    const reconstruct = [
      op.global('numpy.core.multiarray', '_reconstruct'),
      'q',
      1,
      op.global('numpy', 'ndarray'),
      op.binint1(0),
      0x85,
      op.shortBinbytes(pk('b')),
      0x87,
      'q',
      2,
      'R',
    ];
    const state = [MARK, op.binint1(1), MARK, op.binint(64), 't', dtypePart('f4'), 0x89, op.binbytes(arrayBytes(spec)), 't', 'q', 3, 'b'];
    const bomb = pk(PROTO2, ']', reconstruct, state, 'a', new Array(200).fill(['h', 1, 'h', 2, 'R', 'h', 3, 'b', 'a']), STOP);
    expect(errorOf(bomb)).toMatch(/more than maxArrayElements = \d+ NumPy array elements \(BUILD at byte \d+\)/);
  });

  it('validates its options', () => {
    const bytes = pk('N', STOP);
    expect(() => unpickle(bytes, { maxDepth: 0 })).toThrow('pickle: options.maxDepth: expected an integer >= 1, got 0');
    expect(() => unpickle(bytes, { maxObjects: -1 })).toThrow(/^pickle: options\.maxObjects: expected an integer >= 0, got -1$/);
    expect(() => unpickle(bytes, { int64: 'x' as never })).toThrow('pickle: options.int64: expected "number" or "bigint", got "x"');
    expect(() => unpickle(bytes, { bigInts: 'x' as never })).toThrow('pickle: options.bigInts: expected "error" or "bigint", got "x"');
    expect(() => unpickle([1, 2] as never)).toThrow(/pickle: expected the pickle as a Uint8Array/);
  });
});

describe('float16 decoding', () => {
  it('decodes subnormals, the largest finite value, infinities, NaN and signed zero exactly', () => {
    const out = float16ToFloat32(Uint16Array.of(0x0001, 0x03ff, 0x0400, 0x8001, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x3555, 0xc000));
    expect(Array.from(out)).toEqual([2 ** -24, 1023 * 2 ** -24, 2 ** -14, -(2 ** -24), 65504, Infinity, -Infinity, NaN, -0, 0.333251953125, -2]);
  });

  it('round-trips every non-NaN bit pattern through an independent encoder', () => {
    const all = float16ToFloat32(Uint16Array.from({ length: 65536 }, (_, h) => h));
    let nan = 0;
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) {
        expect(all[h]).toBeNaN();
        nan++;
      } else if (halfBits(all[h]) !== h) {
        throw new Error(`pattern 0x${h.toString(16)} decoded to ${all[h]}`);
      }
    }
    expect(nan).toBe(2 * 1023);
  });
});
