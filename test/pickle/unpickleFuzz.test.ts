import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { createRandom, type Random } from '../../src/random/random.js';
import { isNdArray } from '../../src/pickle/numpyArrays.js';
import { unpickle, type PickleValue } from '../../src/pickle/unpickle.js';
import { op, pk, u32, u64, type Part } from './pickleBuilder.js';

/**
 * Deterministic fuzzing of the pickle reader: damaged and random inputs must either read or throw a
 * Ske2GridError starting with `pickle:` whose offset lies inside the input; never another exception,
 * and never a result holding more array data than the input can account for.
 */

const OWN = new URL('../fixtures/pickle/', import.meta.url).pathname;
const PYSKL = new URL('../../../shared/fixtures/pyskl/', import.meta.url).pathname;
const PYSKL_FILES = ['utk6_2d_p2.pkl', 'utk6_2d_p4.pkl', 'utk6_3d_p2.pkl', 'utk6_3d_p4.pkl'];
const hasPyskl = PYSKL_FILES.every((f) => existsSync(`${PYSKL}${f}`));

const own = readdirSync(OWN)
  .filter((f) => f.endsWith('.pkl'))
  .sort()
  .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(`${OWN}${f}`)) }));
const pyskl = hasPyskl ? PYSKL_FILES.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(`${PYSKL}${f}`)) })) : [];

/** Bytes of NumPy array data and number of values in a result (iterative walk; shared objects counted once). */
function measure(root: PickleValue): { arrayBytes: number; values: number } {
  let arrayBytes = 0;
  let values = 0;
  const seen = new Set<object>();
  const todo: PickleValue[] = [root];
  while (todo.length > 0) {
    const v = todo.pop() as PickleValue;
    values++;
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (isNdArray(v)) arrayBytes += v.data.byteLength;
    else if (Array.isArray(v)) todo.push(...v);
    else if (v instanceof Map) for (const [k, x] of v) todo.push(k, x);
    else if (v instanceof Set) todo.push(...v);
  }
  return { arrayBytes, values };
}

/** Reads `bytes`; returns 'ok' or 'error', and fails the test on any other outcome. */
function attempt(bytes: Uint8Array, label: string): 'ok' | 'error' {
  let result: PickleValue;
  try {
    result = unpickle(bytes);
  } catch (e) {
    if (!(e instanceof Ske2GridError)) throw new Error(`${label}: ${String(e)} is not a Ske2GridError`);
    const at = /at byte (\d+)/.exec(e.message);
    if (!e.message.startsWith('pickle: ') || at === null || Number(at[1]) > bytes.length) {
      throw new Error(`${label}: malformed message ${JSON.stringify(e.message)}`);
    }
    return 'error';
  }
  const { arrayBytes, values } = measure(result);
  // Each element decodes to at most 8 bytes and the element count is bounded by the input length.
  if (arrayBytes > 8 * bytes.length || values > bytes.length + 1) {
    throw new Error(`${label}: result of ${arrayBytes} array bytes / ${values} values from ${bytes.length} input bytes`);
  }
  return 'ok';
}

/** Every truncation below `dense` bytes, then every `stride`-th one. */
function truncationLengths(n: number, dense: number, stride: number): number[] {
  const lengths: number[] = [];
  for (let len = 0; len < n; len += len < dense ? 1 : stride) lengths.push(len);
  return lengths;
}

/** A copy of `bytes` with `flips` random bits flipped, half of them in the first 2 KiB (where the structure is). */
function flipBits(bytes: Uint8Array, flips: number, rng: Random): Uint8Array {
  const out = bytes.slice();
  for (let k = 0; k < flips; k++) {
    const span = rng.uniform() < 0.5 ? Math.min(2048, out.length) : out.length;
    out[rng.int(span)] ^= 1 << rng.int(8);
  }
  return out;
}

const OPCODES = [...'(.0123FIJKLMNPQRSTUVXabcdeghijlopqrstu}])BCG'].map((c) => c.charCodeAt(0)).concat(Array.from({ length: 0x99 - 0x80 }, (_, i) => 0x80 + i));
const NAMES = [
  'numpy.core.multiarray',
  '_reconstruct',
  'numpy',
  'ndarray',
  'dtype',
  'f4',
  'f2',
  '<',
  'builtins',
  'list',
  'set',
  'os',
  'system',
  '_codecs',
  'encode',
  'latin1',
];

/** A random sequence of real opcodes with plausible (often small) arguments. */
function opcodeSoup(rng: Random): Uint8Array {
  const parts: Part[] = [rng.uniform() < 0.5 ? [0x80, rng.int(6)] : []];
  const count = 1 + rng.int(60);
  for (let k = 0; k < count; k++) {
    const r = rng.uniform();
    if (r < 0.1) parts.push(op.shortUnicode(NAMES[rng.int(NAMES.length)]));
    else if (r < 0.15) parts.push(op.global(NAMES[rng.int(NAMES.length)], NAMES[rng.int(NAMES.length)]));
    else if (r < 0.2) parts.push(['I', String(rng.int(1000) - 500), '\n']);
    else if (r < 0.25) parts.push(rng.uniform() < 0.5 ? ['B', u32(rng.int(12))] : [0x8e, u64(rng.int(12))]);
    else {
      parts.push(OPCODES[rng.int(OPCODES.length)]);
      const args = rng.int(4) === 0 ? 0 : rng.int(9);
      for (let i = 0; i < args; i++) parts.push(rng.uniform() < 0.7 ? rng.int(4) : rng.int(256));
    }
  }
  if (rng.uniform() < 0.7) parts.push('.');
  return pk(...parts);
}

describe('unpickle fuzz (deterministic)', () => {
  it('finds the PYSKL fixtures in ../shared/fixtures/pyskl', () => {
    expect(hasPyskl, `missing ${PYSKL} (the shared fixtures beside the repository)`).toBe(true);
  });

  it('every truncation of the test/fixtures/pickle files is an error', () => {
    let cases = 0;
    for (const { name, bytes } of own) {
      // int64_big_p4.pkl needs the bigint options, so it is an error with the defaults.
      expect(attempt(bytes, name)).toBe(name.startsWith('int64_big') ? 'error' : 'ok');
      for (const len of truncationLengths(bytes.length, bytes.length, 1)) {
        expect(attempt(bytes.subarray(0, len), `${name}[:${len}]`)).toBe('error');
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(10_000);
  }, 20_000);

  it.skipIf(!hasPyskl)(
    'truncations of the PYSKL fixtures (every length up to 3 KiB, then every 61st) are errors',
    () => {
      let cases = 0;
      for (const { name, bytes } of pyskl) {
        expect(attempt(bytes, name)).toBe('ok');
        for (const len of truncationLengths(bytes.length, 3072, 61)) {
          expect(attempt(bytes.subarray(0, len), `${name}[:${len}]`)).toBe('error');
          cases++;
        }
      }
      expect(cases).toBeGreaterThan(15_000);
    },
    20_000,
  );

  it('2000 single and multi bit flips of the fixtures read or fail cleanly', () => {
    const rng = createRandom(20240611);
    const sources = [...pyskl, ...own];
    const outcomes = { ok: 0, error: 0 };
    for (let k = 0; k < 2000; k++) {
      const { name, bytes } = sources[k % sources.length];
      const flips = k % 5 < 3 ? 1 : 2 + rng.int(7);
      outcomes[attempt(flipBits(bytes, flips, rng), `${name} flip #${k}`)]++;
    }
    // Flips in array data still read; flips in the structure mostly do not.
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.error).toBeGreaterThan(100);
  }, 20_000);

  it('500 random byte strings fail cleanly', () => {
    const rng = createRandom(7);
    let errors = 0;
    for (let k = 0; k < 500; k++) {
      const bytes = Uint8Array.from({ length: rng.int(300) }, () => rng.int(256));
      if (k % 2 === 0 && bytes.length >= 2) bytes.set([0x80, 2 + rng.int(4)]);
      if (attempt(bytes, `random #${k}`) === 'error') errors++;
    }
    expect(errors).toBeGreaterThan(450);
  }, 20_000);

  it('2000 random opcode soups read or fail cleanly', () => {
    const rng = createRandom(99);
    const outcomes = { ok: 0, error: 0 };
    for (let k = 0; k < 2000; k++) outcomes[attempt(opcodeSoup(rng), `soup #${k}`)]++;
    expect(outcomes.error).toBeGreaterThan(1000);
    expect(outcomes.ok + outcomes.error).toBe(2000);
  }, 20_000);
});
