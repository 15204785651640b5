import { Ske2GridError, fail, requireInt } from '../errors.js';
import {
  arrayFromBuffer,
  isNdArray,
  isNumpyDtype,
  makeDtype,
  numpyScalar,
  reconstructArray,
  setArrayState,
  setDtypeState,
  type Int64Mode,
  type NdArray,
  type NumpyDecodeContext,
  type NumpyDtype,
} from './numpyArrays.js';
import { decodeRawUnicodeEscape, decodeStringLiteral, decodeUtf8, latin1 } from './pickleText.js';

/**
 * A value read from a pickle: `None` -> null, bool -> boolean, int -> number (bigint only with
 * `bigInts: 'bigint'`), float -> number, str -> string, bytes/bytearray -> Uint8Array (a view into the
 * input), list -> array, tuple -> frozen array, dict/OrderedDict -> Map, set/frozenset -> Set, NumPy
 * arrays -> {@link NdArray}, NumPy scalars -> boolean/number/bigint, NumPy dtypes -> {@link NumpyDtype}.
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | readonly PickleValue[]
  | Map<PickleValue, PickleValue>
  | Set<PickleValue>
  | NdArray
  | NumpyDtype;

/** Limits and number modes of {@link unpickle}. */
export interface UnpickleOptions {
  /** Deepest nesting of containers (list, tuple, dict, set) in the result; default 100. */
  maxDepth?: number;
  /**
   * Most values the reader may create (every value pushed, every element copied by a constructor
   * call, every byte made by `_codecs.encode`/`bytes()`); default the input's length in bytes, which
   * any pickle written by Python stays under.
   */
  maxObjects?: number;
  /** Most NumPy array elements in total; default the input's length in bytes (each stored element takes at least one byte). */
  maxArrayElements?: number;
  /** int64/uint64 array data as Float64Array with exactness checked (`'number'`, default) or as BigInt64Array/BigUint64Array (`'bigint'`). */
  int64?: Int64Mode;
  /** Integers beyond +-(2^53 - 1): an error (`'error'`, default) or a bigint (`'bigint'`). */
  bigInts?: 'error' | 'bigint';
}

/**
 * The globals a pickle may name (`__builtin__.X` is read as `builtins.X`); any other global is an error.
 *
 * @example
 * ```ts
 * import { ALLOWED_PICKLE_GLOBALS } from 'ske2grid';
 * ALLOWED_PICKLE_GLOBALS.includes('collections.OrderedDict'); // true
 * ALLOWED_PICKLE_GLOBALS.includes('os.system'); // false: a pickle naming it is rejected, never run
 * ```
 */
export const ALLOWED_PICKLE_GLOBALS: readonly string[] = [
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.ndarray',
  'numpy.dtype',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  '_codecs.encode',
  'collections.OrderedDict',
  'builtins.set',
  'builtins.frozenset',
  'builtins.bytearray',
  'builtins.bytes',
  'builtins.list',
  'builtins.dict',
  'builtins.tuple',
];

const ALLOWED = new Set(ALLOWED_PICKLE_GLOBALS);

/** Opcode names, for messages. */
const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK',
  0x2e: 'STOP',
  0x30: 'POP',
  0x31: 'POP_MARK',
  0x32: 'DUP',
  0x46: 'FLOAT',
  0x49: 'INT',
  0x4a: 'BININT',
  0x4b: 'BININT1',
  0x4c: 'LONG',
  0x4d: 'BININT2',
  0x4e: 'NONE',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
  0x52: 'REDUCE',
  0x53: 'STRING',
  0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE',
  0x58: 'BINUNICODE',
  0x61: 'APPEND',
  0x62: 'BUILD',
  0x63: 'GLOBAL',
  0x64: 'DICT',
  0x7d: 'EMPTY_DICT',
  0x65: 'APPENDS',
  0x67: 'GET',
  0x68: 'BINGET',
  0x69: 'INST',
  0x6a: 'LONG_BINGET',
  0x6c: 'LIST',
  0x5d: 'EMPTY_LIST',
  0x6f: 'OBJ',
  0x70: 'PUT',
  0x71: 'BINPUT',
  0x72: 'LONG_BINPUT',
  0x73: 'SETITEM',
  0x74: 'TUPLE',
  0x29: 'EMPTY_TUPLE',
  0x75: 'SETITEMS',
  0x47: 'BINFLOAT',
  0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES',
  0x80: 'PROTO',
  0x81: 'NEWOBJ',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x85: 'TUPLE1',
  0x86: 'TUPLE2',
  0x87: 'TUPLE3',
  0x88: 'NEWTRUE',
  0x89: 'NEWFALSE',
  0x8a: 'LONG1',
  0x8b: 'LONG4',
  0x8c: 'SHORT_BINUNICODE',
  0x8d: 'BINUNICODE8',
  0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x92: 'NEWOBJ_EX',
  0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE',
  0x95: 'FRAME',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

/** Python's limit on decimal digits in an int literal (`sys.get_int_max_str_digits()`). */
const MAX_DECIMAL_DIGITS = 4300;
/** Longest LONG1/LONG4 integer read, in bytes (8192 bits). */
const MAX_LONG_BYTES = 1024;

/** A named global (always one of {@link ALLOWED_PICKLE_GLOBALS}); callable within the pickle, never part of a result. */
class PyGlobal {
  constructor(readonly name: string) {}
}

/** What the machine holds: pickle values, plus named globals and containers that may still hold them. */
type Item = PickleValue | PyGlobal | Item[] | readonly Item[] | Map<Item, Item> | Set<Item>;

/**
 * Reads a Python pickle (protocols 0 to 5) of plain data and NumPy arrays WITHOUT executing anything:
 * only the globals in {@link ALLOWED_PICKLE_GLOBALS} are accepted, and each is decoded by this
 * reader (see {@link PickleValue} for the mapping). Every declared length is checked against the
 * bytes left before anything is allocated; nesting, value count and array elements are bounded
 * ({@link UnpickleOptions}); reference cycles are rejected. Errors are {@link Ske2GridError}s whose
 * message starts with `pickle:` and names the opcode and its byte offset.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { unpickle } from 'ske2grid';
 * unpickle(new Uint8Array([0x80, 0x04, 0x4b, 0x07, 0x2e])); // 7 (PROTO 4, BININT1 7, STOP)
 * const value = unpickle(readFileSync('ntu60_hrnet.pkl')); // dict -> Map, NumPy arrays -> NdArray; nothing executed
 * ```
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): PickleValue {
  if (!(bytes instanceof Uint8Array)) throw new Ske2GridError(`pickle: expected the pickle as a Uint8Array, got ${typeof bytes}`);
  const limits = {
    maxDepth: requireInt('pickle: options.maxDepth', options.maxDepth ?? 100, 1),
    maxObjects: requireInt('pickle: options.maxObjects', options.maxObjects ?? bytes.length, 0),
    maxArrayElements: requireInt('pickle: options.maxArrayElements', options.maxArrayElements ?? bytes.length, 0),
  };
  const int64 = options.int64 ?? 'number';
  if (int64 !== 'number' && int64 !== 'bigint') {
    fail('pickle: options.int64', '"number" or "bigint"', int64);
  }
  const bigInts = options.bigInts ?? 'error';
  if (bigInts !== 'error' && bigInts !== 'bigint') {
    fail('pickle: options.bigInts', '"error" or "bigint"', bigInts);
  }
  return new PickleReader(bytes, limits, int64, bigInts === 'bigint').read();
}

/** The pickle machine: a stack, a mark stack and a memo, driven by one opcode at a time. */
class PickleReader {
  private pos = 0;
  /** Offset of the opcode being executed (for messages). */
  private opStart = 0;
  private stack: Item[] = [];
  private readonly marks: Item[][] = [];
  private readonly memo = new Map<number, Item>();
  private objects = 0;
  private elements = 0;
  /** Byte offset of the opcode that created each object (for messages about the result). */
  private readonly origin = new WeakMap<object, number>();
  private readonly view: DataView;
  private readonly numpy: NumpyDecodeContext;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: { maxDepth: number; maxObjects: number; maxArrayElements: number },
    int64: Int64Mode,
    private readonly bigInts: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.numpy = {
      raise: (message: string) => this.fail(message),
      kindOf: (v: unknown) => kindOf(v as Item),
      int64,
      bigInts,
      countElements: (n: number) => {
        this.elements += n;
        if (this.elements > limits.maxArrayElements) {
          this.fail(`more than maxArrayElements = ${limits.maxArrayElements} NumPy array elements`);
        }
      },
    };
  }

  read(): PickleValue {
    try {
      return this.run();
    } catch (e) {
      // Engine size limits (string length, allocation) become reader errors; anything else is a bug.
      if (e instanceof RangeError) this.fail(`data too large for this JS engine: ${e.message}`);
      throw e;
    }
  }

  private run(): PickleValue {
    const b = this.bytes;
    for (;;) {
      if (this.pos >= b.length) {
        throw new Ske2GridError(`pickle: the data ends at byte ${b.length} without a STOP opcode`);
      }
      this.opStart = this.pos;
      const op = b[this.pos++];
      switch (op) {
        case 0x28: // MARK
          this.marks.push(this.stack);
          this.stack = [];
          break;
        case 0x2e: // STOP
          return this.finish();
        case 0x30: // POP
          if (this.stack.length > 0) this.stack.pop();
          else this.popMark();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.push(this.top());
          break;
        case 0x46: // FLOAT
          this.push(this.parseFloat(latin1(this.line())));
          break;
        case 0x49: {
          // INT (protocol 0 also writes bools as I01 / I00)
          const text = latin1(this.line());
          this.push(text === '01' ? true : text === '00' ? false : this.parseInt(text));
          break;
        }
        case 0x4c: // LONG
          this.push(this.parseInt(latin1(this.line()).replace(/L$/, '')));
          break;
        case 0x4a: // BININT
          this.need(4);
          this.push(this.view.getInt32(this.pos, true));
          this.pos += 4;
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.need(2);
          this.push(this.view.getUint16(this.pos, true));
          this.pos += 2;
          break;
        case 0x47: // BINFLOAT (big endian)
          this.need(8);
          this.push(this.view.getFloat64(this.pos, false));
          this.pos += 8;
          break;
        case 0x8a: // LONG1
          this.push(this.decodeLong(this.take(this.u8())));
          break;
        case 0x8b: // LONG4
          this.push(this.decodeLong(this.take(this.i32Length())));
          break;
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x53: // STRING (Python 2 str, quoted and escaped; read as Latin-1)
          this.push(latin1(decodeStringLiteral(this.line(), (m) => this.fail(m))));
          break;
        case 0x54: // BINSTRING
          this.push(latin1(this.take(this.i32Length())));
          break;
        case 0x55: // SHORT_BINSTRING
          this.push(latin1(this.take(this.u8())));
          break;
        case 0x56: // UNICODE (raw-unicode-escape)
          this.push(decodeRawUnicodeEscape(this.line(), (m) => this.fail(m)));
          break;
        case 0x58: // BINUNICODE
          this.push(this.utf8(this.take(this.u32())));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.utf8(this.take(this.u8())));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.utf8(this.take(this.u64Length())));
          break;
        case 0x42: // BINBYTES
          this.push(this.take(this.u32()));
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(this.take(this.u8()));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.push(this.take(this.u64Length()));
          break;
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x6c: // LIST
          this.push(this.popMark());
          break;
        case 0x61: {
          // APPEND
          const value = this.pop();
          this.listOnTop().push(value);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          const list = this.listOnTop();
          for (const item of items) list.push(item);
          break;
        }
        case 0x29: // EMPTY_TUPLE
          this.push(Object.freeze([] as Item[]));
          break;
        case 0x74: // TUPLE
          this.push(Object.freeze(this.popMark()));
          break;
        case 0x85: // TUPLE1
          this.push(Object.freeze([this.pop()]) as Item[]);
          break;
        case 0x86: {
          // TUPLE2
          const second = this.pop();
          this.push(Object.freeze([this.pop(), second]) as Item[]);
          break;
        }
        case 0x87: {
          // TUPLE3
          const third = this.pop();
          const second = this.pop();
          this.push(Object.freeze([this.pop(), second, third]) as Item[]);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.push(new Map());
          break;
        case 0x64: {
          // DICT
          const items = this.popMark();
          const dict = new Map<Item, Item>();
          this.setItems(dict, items);
          this.push(dict);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.dictOnTop(), [key, value]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.dictOnTop(), items);
          break;
        }
        case 0x8f: // EMPTY_SET
          this.push(new Set());
          break;
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          const set = this.top();
          if (!(set instanceof Set)) this.fail(`ADDITEMS needs a set on the stack, got ${kindOf(set)}`);
          const members = set as Set<Item>;
          for (const item of items) members.add(this.hashable(item));
          break;
        }
        case 0x91: {
          // FROZENSET
          const items = this.popMark();
          this.push(new Set(items.map((item) => this.hashable(item))));
          break;
        }
        case 0x70: // PUT
          this.memo.set(this.memoIndex(latin1(this.line())), this.top());
          break;
        case 0x71: // BINPUT
          this.memo.set(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(this.u32(), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x67: // GET
          this.push(this.memoGet(this.memoIndex(latin1(this.line()))));
          break;
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()));
          break;
        case 0x63: {
          // GLOBAL
          const module = this.utf8(this.line());
          this.push(this.global(module, this.utf8(this.line())));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') {
            this.fail(`STACK_GLOBAL needs two str on the stack, got ${kindOf(module)} and ${kindOf(name)}`);
          }
          this.push(this.global(module, name));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const callable = this.pop();
          if (!isTuple(args)) this.fail(`REDUCE needs an argument tuple, got ${kindOf(args)}`);
          this.push(this.call(callable, args));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop();
          this.push(this.newObject(this.pop(), args));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          if (!(kwargs instanceof Map) || kwargs.size > 0) this.fail(`NEWOBJ_EX keyword arguments are not supported, got ${kindOf(kwargs)}`);
          this.push(this.newObject(cls, args));
          break;
        }
        case 0x69: {
          // INST
          const module = this.utf8(this.line());
          const cls = this.global(module, this.utf8(this.line()));
          this.push(this.call(cls, this.popMark()));
          break;
        }
        case 0x6f: {
          // OBJ
          const items = this.popMark();
          if (items.length === 0) this.fail('OBJ needs a class after the MARK');
          this.push(this.call(items[0], items.slice(1)));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case 0x80: {
          // PROTO
          const version = this.u8();
          if (version > 5) this.fail(`pickle protocol ${version} is not supported (0 to 5 are)`);
          break;
        }
        case 0x95: // FRAME: only checked, frames need no other handling here
          this.need(this.u64Length(), true);
          break;
        case 0x98: // READONLY_BUFFER
          this.top();
          break;
        case 0x50: // PERSID
        case 0x51: // BINPERSID
          this.fail('persistent IDs are not supported');
          break;
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: // EXT4
          this.fail('extension registry codes are not supported');
          break;
        case 0x97: // NEXT_BUFFER
          this.fail('out-of-band buffers are not supported');
          break;
        default:
          throw new Ske2GridError(`pickle: unknown opcode 0x${op.toString(16).padStart(2, '0')} at byte ${this.opStart}`);
      }
    }
  }

  /** Throws the reader's error: `pickle: <message> (<OPCODE> at byte <n>)[; <detail>]`. */
  private fail(message: string, detail?: string): never {
    const op = OPCODE_NAMES[this.bytes[this.opStart]] ?? 'opcode';
    throw new Ske2GridError(`pickle: ${message} (${op} at byte ${this.opStart})${detail === undefined ? '' : `; ${detail}`}`);
  }

  /** Throws an error about `item` of the result, naming the opcode that created it. */
  private failAbout(item: object, message: string): never {
    this.opStart = this.origin.get(item) ?? this.opStart;
    return this.fail(message);
  }

  // ---- input ----

  /** Checks that `n` more bytes exist: a declared length (`declared`) or the opcode's fixed-size argument. */
  private need(n: number, declared = false): void {
    const left = this.bytes.length - this.pos;
    if (n <= left) return;
    this.fail(declared ? `declared length ${n} is larger than the ${left} bytes left` : `the argument needs ${n} bytes but only ${left} remain`);
  }

  /** The next `n` bytes (a declared length), as a view into the input. */
  private take(n: number): Uint8Array {
    this.need(n, true);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  private u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A signed 4-byte length (BINSTRING, LONG4); negative is an error. */
  private i32Length(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    if (v < 0) this.fail(`negative length ${v}`);
    return v;
  }

  /** An unsigned 8-byte length; anything beyond 2^53 is certainly more than the bytes left. */
  private u64Length(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    if (hi >= 0x200000) this.fail(`declared length ${BigInt(hi) * 4294967296n + BigInt(lo)} is larger than the ${this.bytes.length - this.pos} bytes left`);
    return hi * 4294967296 + lo;
  }

  /** The bytes up to the next newline (protocol 0 arguments), newline consumed. */
  private line(): Uint8Array {
    const end = this.bytes.indexOf(10, this.pos);
    if (end < 0) this.fail('the argument line has no terminating newline');
    const out = this.bytes.subarray(this.pos, end);
    this.pos = end + 1;
    return out;
  }

  // ---- stack and memo ----

  private push(item: Item): void {
    if (++this.objects > this.limits.maxObjects) this.fail(`more than maxObjects = ${this.limits.maxObjects} values`);
    if (typeof item === 'object' && item !== null && !this.origin.has(item)) this.origin.set(item, this.opStart);
    this.stack.push(item);
  }

  /** Counts `n` values made at once (container copies, encoded bytes). */
  private count(n: number): void {
    this.objects += n;
    if (this.objects > this.limits.maxObjects) this.fail(`more than maxObjects = ${this.limits.maxObjects} values`);
  }

  private pop(): Item {
    if (this.stack.length === 0) this.fail(this.marks.length > 0 ? 'stack underflow (nothing above the last MARK)' : 'stack underflow');
    return this.stack.pop() as Item;
  }

  private top(): Item {
    if (this.stack.length === 0) this.fail(this.marks.length > 0 ? 'stack underflow (nothing above the last MARK)' : 'stack underflow');
    return this.stack[this.stack.length - 1];
  }

  /** The items pushed since the last MARK; the stack below the MARK becomes current again. */
  private popMark(): Item[] {
    const below = this.marks.pop();
    if (below === undefined) this.fail('no MARK on the stack');
    const items = this.stack;
    this.stack = below;
    return items;
  }

  private memoIndex(text: string): number {
    if (!/^\d{1,15}$/.test(text)) this.fail(`memo index must be a non-negative integer, got ${quote(text)}`);
    return Number(text);
  }

  private memoGet(index: number): Item {
    const v = this.memo.get(index);
    if (v === undefined) this.fail(`memo has no entry ${index}`);
    return v;
  }

  private listOnTop(): Item[] {
    const list = this.top();
    if (!isList(list)) this.fail(`appending needs a list on the stack, got ${kindOf(list)}`);
    return list;
  }

  private dictOnTop(): Map<Item, Item> {
    const dict = this.top();
    if (!(dict instanceof Map)) this.fail(`setting items needs a dict on the stack, got ${kindOf(dict)}`);
    return dict;
  }

  private setItems(dict: Map<Item, Item>, items: readonly Item[]): void {
    if (items.length % 2 !== 0) this.fail(`dict items come in key/value pairs, got ${items.length} values`);
    for (let i = 0; i < items.length; i += 2) dict.set(this.hashable(items[i]), items[i + 1]);
  }

  /** Rejects what Python could not use as a dict key or set member. */
  private hashable(item: Item): Item {
    if (isList(item) || item instanceof Map || isNdArray(item)) this.fail(`unhashable ${kindOf(item)} used as a dict key or set member`);
    return item;
  }

  // ---- scalars ----

  private parseInt(text: string): number | bigint {
    const t = text.trim();
    if (!/^[+-]?\d+$/.test(t)) this.fail(`malformed integer ${quote(text)}`);
    if (t.length > MAX_DECIMAL_DIGITS + 1) this.fail(`integer literal of ${t.length} characters exceeds ${MAX_DECIMAL_DIGITS} digits`);
    return t.length <= 15 ? Number(t) : this.jsInteger(BigInt(t));
  }

  private parseFloat(text: string): number {
    const t = text.trim();
    const m = /^([+-]?)(?:(inf|infinity)|(nan)|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i.exec(t);
    if (!m) this.fail(`malformed float ${quote(text)}`);
    if (m[2] !== undefined) return m[1] === '-' ? -Infinity : Infinity;
    return m[3] !== undefined ? NaN : Number(t);
  }

  /** Little-endian two's complement integer of LONG1/LONG4. */
  private decodeLong(b: Uint8Array): number | bigint {
    if (b.length > MAX_LONG_BYTES) this.fail(`integer of ${b.length} bytes is longer than the ${MAX_LONG_BYTES} supported`);
    if (b.length <= 6) {
      let v = 0;
      for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i];
      return b.length > 0 && b[b.length - 1] & 0x80 ? v - 2 ** (8 * b.length) : v;
    }
    let hex = '';
    for (let i = b.length - 1; i >= 0; i--) hex += b[i].toString(16).padStart(2, '0');
    let v = BigInt(`0x${hex}`);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return this.jsInteger(v);
  }

  private jsInteger(v: bigint): number | bigint {
    if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    if (this.bigInts) return v;
    const text = v.toString();
    const shown = text.length > 30 ? `${text.slice(0, 12)}...(${text.length} digits)` : text;
    return this.fail(`integer ${shown} does not fit a JS number exactly (use the option bigInts: 'bigint')`);
  }

  // ---- text ----

  private utf8(b: Uint8Array): string {
    const text = decodeUtf8(b);
    if (text === null) this.fail('invalid UTF-8 text');
    return text;
  }

  // ---- globals and calls ----

  private global(module: string, name: string): PyGlobal {
    const canonical = `${module === '__builtin__' ? 'builtins' : module}.${name}`;
    if (!ALLOWED.has(canonical)) {
      this.fail(`global ${quote(`${module}.${name}`)} is not allowed`, `allowed: ${ALLOWED_PICKLE_GLOBALS.join(', ')}`);
    }
    return new PyGlobal(canonical);
  }

  /** `callable(*args)` for the allowed globals. */
  private call(callable: Item, args: readonly Item[]): Item {
    if (!(callable instanceof PyGlobal)) this.fail(`only allowed globals can be called, got ${kindOf(callable)}`);
    switch (callable.name) {
      case 'numpy.core.multiarray._reconstruct':
      case 'numpy._core.multiarray._reconstruct':
        return reconstructArray(args, (v) => v instanceof PyGlobal && v.name === 'numpy.ndarray', this.numpy);
      case 'numpy.dtype':
        return makeDtype(args, this.numpy);
      case 'numpy.core.multiarray.scalar':
      case 'numpy._core.multiarray.scalar':
        return numpyScalar(args, this.numpy);
      case 'numpy.core.numeric._frombuffer':
      case 'numpy._core.numeric._frombuffer':
        return arrayFromBuffer(args, this.numpy);
      case '_codecs.encode':
        return this.encode(args);
      case 'builtins.bytes':
      case 'builtins.bytearray':
        return this.makeBytes(callable.name, args);
      case 'builtins.list':
        return this.elementsOf(callable.name, args);
      case 'builtins.tuple':
        return Object.freeze(this.elementsOf(callable.name, args));
      case 'builtins.set':
      case 'builtins.frozenset':
        return new Set(this.elementsOf(callable.name, args).map((item) => this.hashable(item)));
      case 'builtins.dict':
      case 'collections.OrderedDict':
        return this.makeDict(callable.name, args);
      default: // numpy.ndarray
        return this.fail(`${callable.name} cannot be called (it is only accepted as the subtype argument of _reconstruct)`);
    }
  }

  /** `cls.__new__(cls, *args)`: empty mutable containers, or the immutable value itself. */
  private newObject(cls: Item, args: Item): Item {
    if (!isTuple(args)) this.fail(`NEWOBJ needs an argument tuple, got ${kindOf(args)}`);
    if (!(cls instanceof PyGlobal)) this.fail(`NEWOBJ needs a class, got ${kindOf(cls)}`);
    switch (cls.name) {
      case 'builtins.list':
        return [];
      case 'builtins.dict':
      case 'collections.OrderedDict':
        return new Map();
      case 'builtins.set':
        return new Set();
      case 'builtins.bytearray':
        return new Uint8Array(0);
      case 'builtins.tuple':
      case 'builtins.frozenset':
      case 'builtins.bytes':
        return this.call(cls, args);
      default:
        return this.fail(`${cls.name} cannot be created by NEWOBJ`);
    }
  }

  /** The single optional iterable argument of list()/tuple()/set()/frozenset(), as items. */
  private elementsOf(name: string, args: readonly Item[]): Item[] {
    if (args.length > 1) this.fail(`${name} takes at most 1 argument, got ${args.length}`);
    if (args.length === 0) return [];
    const it = args[0];
    let items: Item[];
    if (Array.isArray(it)) items = it.slice();
    else if (it instanceof Set) items = Array.from(it);
    else if (it instanceof Map) items = Array.from(it.keys());
    else if (typeof it === 'string') items = Array.from(it);
    else if (it instanceof Uint8Array) items = Array.from(it);
    else return this.fail(`${name} needs an iterable, got ${kindOf(it)}`);
    this.count(items.length);
    return items;
  }

  private makeDict(name: string, args: readonly Item[]): Map<PickleValue, PickleValue> {
    if (args.length > 1) this.fail(`${name} takes at most 1 positional argument, got ${args.length}`);
    const dict = new Map<Item, Item>();
    if (args.length === 0) return dict as Map<PickleValue, PickleValue>;
    const src = args[0];
    if (src instanceof Map) {
      this.count(src.size);
      for (const [k, v] of src) dict.set(k, v);
    } else if (Array.isArray(src)) {
      this.count(src.length);
      for (const pair of src) {
        if (!Array.isArray(pair) || pair.length !== 2) this.fail(`${name} needs (key, value) pairs, got ${kindOf(pair)}`);
        dict.set(this.hashable(pair[0]), pair[1]);
      }
    } else {
      this.fail(`${name} needs a dict or a list of pairs, got ${kindOf(src)}`);
    }
    return dict as Map<PickleValue, PickleValue>;
  }

  /** `bytes()` / `bytearray()` of nothing, bytes, a list of ints, or (str, encoding). */
  private makeBytes(name: string, args: readonly Item[]): Uint8Array {
    if (args.length === 0) return new Uint8Array(0);
    const src = args[0];
    if (typeof src === 'string') {
      if (args.length < 2) this.fail(`${name} of a str needs an encoding`);
      return this.encode(args);
    }
    if (args.length > 1) this.fail(`${name} takes 1 argument unless encoding a str, got ${args.length}`);
    if (src instanceof Uint8Array) {
      this.count(src.length);
      return src.slice();
    }
    if (Array.isArray(src)) {
      this.count(src.length);
      const out = new Uint8Array(src.length);
      src.forEach((v, i) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) this.fail(`${name} needs ints in 0..255, got ${kindOf(v)} ${String(v)}`);
        out[i] = v;
      });
      return out;
    }
    return this.fail(`${name} needs bytes, a str with an encoding or a list of ints, got ${kindOf(src)}`);
  }

  /** `_codecs.encode(str, encoding='utf-8')` for latin-1, ascii and utf-8 (how protocols 0-2 store bytes). */
  private encode(args: readonly Item[]): Uint8Array {
    if (args.length < 1 || args.length > 3) this.fail(`encode takes 1 to 3 arguments, got ${args.length}`);
    const [text, encodingArg = 'utf-8'] = args;
    if (typeof text !== 'string') this.fail(`encode needs a str, got ${kindOf(text)}`);
    if (typeof encodingArg !== 'string') this.fail(`encode needs an encoding name, got ${kindOf(encodingArg)}`);
    const encoding = encodingArg.toLowerCase().replace(/_/g, '-');
    this.count(text.length);
    if (encoding === 'latin1' || encoding === 'latin-1' || encoding === 'iso-8859-1' || encoding === 'iso8859-1' || encoding === 'ascii') {
      const max = encoding === 'ascii' ? 0x7f : 0xff;
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c > max) this.fail(`encode: character U+${c.toString(16).padStart(4, '0')} at index ${i} is not ${encoding}`);
        out[i] = c;
      }
      return out;
    }
    if (encoding === 'utf-8' || encoding === 'utf8') {
      if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)) this.fail('encode: lone surrogate in a str encoded as utf-8');
      return new TextEncoder().encode(text);
    }
    return this.fail(`encode: encoding ${quote(encodingArg)} is not supported (latin-1, ascii and utf-8 are)`);
  }

  /** BUILD: `__setstate__` of NumPy arrays and dtypes; an empty state is accepted on anything. */
  private build(target: Item, state: Item): void {
    if (isNdArray(target)) setArrayState(target, state, this.numpy);
    else if (isNumpyDtype(target)) setDtypeState(target, state, this.numpy);
    else if (state !== null && !(state instanceof Map && state.size === 0)) {
      this.fail(`BUILD with a state on ${kindOf(target)} is not supported (only NumPy arrays and dtypes take one)`);
    }
  }

  // ---- the result ----

  /** STOP: exactly one value and no open MARK; then the result is checked for depth, cycles and stray globals. */
  private finish(): PickleValue {
    if (this.marks.length > 0) this.fail(`${this.marks.length} MARK(s) still open`);
    if (this.stack.length !== 1) this.fail(`${this.stack.length} values on the stack; expected exactly 1`);
    const result = this.stack[0];
    this.checkResult(result);
    return result as PickleValue;
  }

  /** Walks the result without recursion: nesting depth <= maxDepth, no container inside itself, no global. */
  private checkResult(root: Item): void {
    if (root instanceof PyGlobal) this.failAbout(root, `the result is the global ${root.name} itself, not data`);
    if (!isContainer(root)) return;
    const { maxDepth } = this.limits;
    const heights = new Map<object, number>(); // finished containers -> nesting height (1 = no nested container)
    const onPath = new Set<object>();
    const path: { node: object; children: Item[]; next: number; height: number }[] = [];
    const enter = (node: object) => {
      if (path.length + 1 > maxDepth) this.failAbout(node, `data nested deeper than maxDepth = ${maxDepth}`);
      onPath.add(node);
      path.push({ node, children: childrenOf(node), next: 0, height: 1 });
    };
    enter(root);
    while (path.length > 0) {
      const frame = path[path.length - 1];
      if (frame.next < frame.children.length) {
        const child = frame.children[frame.next++];
        if (child instanceof PyGlobal) this.failAbout(child, `the result holds the global ${child.name} itself, not data`);
        if (!isContainer(child)) continue;
        if (onPath.has(child)) this.failAbout(child, 'a container holds itself (reference cycle); cycles are not supported');
        const h = heights.get(child);
        if (h === undefined) {
          enter(child);
        } else {
          if (path.length + h > maxDepth) this.failAbout(child, `data nested deeper than maxDepth = ${maxDepth}`);
          frame.height = Math.max(frame.height, h + 1);
        }
      } else {
        path.pop();
        onPath.delete(frame.node);
        heights.set(frame.node, frame.height);
        if (path.length > 0) path[path.length - 1].height = Math.max(path[path.length - 1].height, frame.height + 1);
      }
    }
  }
}

function isList(v: unknown): v is PickleValue[] {
  return Array.isArray(v) && !Object.isFrozen(v);
}

function isTuple(v: unknown): v is readonly Item[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

function isContainer(v: Item): v is Item[] | Map<Item, Item> | Set<Item> {
  return Array.isArray(v) || v instanceof Map || v instanceof Set;
}

function childrenOf(node: object): Item[] {
  if (Array.isArray(node)) return node as Item[];
  if (node instanceof Map) return [...node.keys(), ...node.values()];
  return [...(node as Set<Item>)];
}

/** Python type name of a value, for messages. */
function kindOf(v: Item): string {
  if (v === null) return 'None';
  if (v instanceof PyGlobal) return `global ${v.name}`;
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'tuple' : 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Map) return 'dict';
  if (v instanceof Set) return 'set';
  if (isNdArray(v)) return 'numpy.ndarray';
  if (isNumpyDtype(v)) return 'numpy.dtype';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return typeof v === 'string' ? 'str' : typeof v === 'bigint' ? 'int' : 'bool';
}

/** Quoted text for messages, cut at 60 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}
