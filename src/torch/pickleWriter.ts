/**
 * A small pickle writer (protocol 2) for what a PyTorch checkpoint holds: None, bool, int, float,
 * str, list, tuple, dict, OrderedDict, named globals, calls and persistent ids. No memo is written
 * (each value is written where it occurs), which every unpickler accepts.
 */
import { Ske2GridError } from '../errors.js';

/** Writes pickle opcodes into a growing buffer; {@link PickleWriter.finish} adds STOP and returns the bytes. */
export class PickleWriter {
  private buffer = new Uint8Array(1024);
  private length = 0;
  private readonly encoder = new TextEncoder();
  private readonly scratch = new DataView(new ArrayBuffer(8));

  constructor() {
    this.bytes(0x80, 2); // PROTO 2
  }

  /** The pickle so far with STOP appended. */
  finish(): Uint8Array {
    this.bytes(0x2e);
    return this.buffer.slice(0, this.length);
  }

  none(): void {
    this.bytes(0x4e);
  }

  bool(v: boolean): void {
    this.bytes(v ? 0x88 : 0x89);
  }

  /** An integer: BININT1 / BININT2 / BININT, or LONG1 beyond 32 bits. */
  int(v: number | bigint): void {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Ske2GridError(`pickle writer: expected a safe integer, got ${v}`);
    const n = BigInt(v);
    if (n >= 0n && n < 256n) this.bytes(0x4b, Number(n));
    else if (n >= 0n && n < 65536n) this.bytes(0x4d, Number(n) & 0xff, Number(n) >> 8);
    else if (n >= -(2n ** 31n) && n < 2n ** 31n) {
      this.scratch.setInt32(0, Number(n), true);
      this.bytes(0x4a, ...new Uint8Array(this.scratch.buffer, 0, 4));
    } else {
      const out: number[] = [];
      let x = n;
      // little-endian two's complement, as short as the sign allows
      for (;;) {
        out.push(Number(x & 0xffn));
        x >>= 8n;
        if ((x === 0n && (out[out.length - 1] & 0x80) === 0) || (x === -1n && (out[out.length - 1] & 0x80) !== 0)) break;
      }
      this.bytes(0x8a, out.length, ...out);
    }
  }

  /** A float: BINFLOAT (big-endian float64). */
  float(v: number): void {
    this.scratch.setFloat64(0, v, false);
    this.bytes(0x47, ...new Uint8Array(this.scratch.buffer, 0, 8));
  }

  /** A str: BINUNICODE (UTF-8). */
  str(v: string): void {
    const utf8 = this.encoder.encode(v);
    this.scratch.setUint32(0, utf8.length, true);
    this.bytes(0x58, ...new Uint8Array(this.scratch.buffer, 0, 4));
    this.append(utf8);
  }

  /** A global `module.name` (GLOBAL). */
  global(module: string, name: string): void {
    this.bytes(0x63);
    this.append(this.encoder.encode(`${module}\n${name}\n`));
  }

  /** A tuple of the values `items` writes. */
  tuple(count: number, items: () => void): void {
    if (count === 0) return this.bytes(0x29);
    if (count <= 3) {
      items();
      return this.bytes(0x84 + count); // TUPLE1..TUPLE3
    }
    this.bytes(0x28);
    items();
    this.bytes(0x74);
  }

  /** A list of the values `items` writes (EMPTY_LIST, then MARK ... APPENDS). */
  list(count: number, items: () => void): void {
    this.bytes(0x5d);
    if (count === 0) return;
    this.bytes(0x28);
    items();
    this.bytes(0x65);
  }

  /** A dict (`ordered`: `collections.OrderedDict()`) filled with the key/value pairs `items` writes. */
  dict(count: number, items: () => void, ordered = false): void {
    if (ordered) {
      this.global('collections', 'OrderedDict');
      this.bytes(0x29, 0x52); // EMPTY_TUPLE, REDUCE
    } else this.bytes(0x7d);
    if (count === 0) return;
    this.bytes(0x28);
    items();
    this.bytes(0x75);
  }

  /** `callable(*args)`: what `callable` writes, then the argument tuple, then REDUCE. */
  call(callable: () => void, count: number, args: () => void): void {
    callable();
    this.tuple(count, args);
    this.bytes(0x52);
  }

  /** A persistent id: the value `pid` writes, then BINPERSID. */
  persistentId(pid: () => void): void {
    pid();
    this.bytes(0x51);
  }

  private bytes(...values: number[]): void {
    this.reserve(values.length);
    for (const v of values) this.buffer[this.length++] = v;
  }

  private append(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
