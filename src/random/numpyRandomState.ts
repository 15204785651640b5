import { fail } from '../errors.js';
import type { Random } from './random.js';

const N = 624;
const M = 397;
const TWO_POW_32 = 4294967296;

/**
 * NumPy's legacy `np.random.RandomState` in TypeScript: the MT19937 generator with NumPy's seeding
 * (`init_genrand` for an integer seed, `init_by_array` for an array of seeds) and the legacy
 * samplers, draw for draw: {@link randomSample} (`rand()`, 53-bit doubles), {@link randint} (masked
 * rejection, as `RandomState.randint`), {@link shuffle} / {@link permutation} / {@link choice} without
 * replacement, and {@link standardNormal} (the legacy polar method; equal to NumPy's within an ulp,
 * since `Math.log` may round differently). `new NumpyRandomState(255)` reproduces
 * `np.random.seed(255)` followed by the same calls. Also a {@link Random}, so it can drive any
 * transform: `uniform()` = `rand()`, `int(n)` = `randint(n)`, `normal()` = `standard_normal()`.
 *
 * @example
 * ```ts
 * import { NumpyRandomState } from 'ske2grid';
 * const rng = new NumpyRandomState(0); // np.random.seed(0)
 * rng.randomSample(); // 0.5488135039273248, as np.random.rand()
 * rng.randint(10); // as np.random.randint(10)
 * ```
 */
export class NumpyRandomState implements Random {
  private readonly mt = new Uint32Array(N);
  private pos = N;
  private gauss: number | null = null;

  /** Seeds like `np.random.RandomState(seed)`: an integer in [0, 2^32 - 1] or a non-empty array of them. */
  constructor(seed: number | readonly number[]) {
    this.seed(seed);
  }

  /** Re-seeds like `np.random.seed(seed)` (an integer in [0, 2^32 - 1] or a non-empty array of them); clears the cached normal. */
  seed(seed: number | readonly number[]): void {
    if (typeof seed === 'number') {
      if (!isUint32(seed)) fail('seed', 'an integer in [0, 2^32 - 1] or an array of them', seed);
      this.initGenrand(seed);
    } else {
      if (!Array.isArray(seed) || seed.length === 0) fail('seed', 'an integer in [0, 2^32 - 1] or a non-empty array of them', seed);
      seed.forEach((s, i) => {
        if (!isUint32(s)) fail(`seed[${i}]`, 'an integer in [0, 2^32 - 1]', s);
      });
      this.initByArray(seed);
    }
    this.gauss = null;
  }

  /** The next raw 32-bit output of MT19937, as an unsigned integer. */
  nextUint32(): number {
    if (this.pos >= N) this.generate();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform double in [0, 1) from two outputs (27 + 26 bits), as `rand()` / `random_sample()`. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * Integer uniform in [low, high) as legacy `randint(low, high)`; `randint(high)` means [0, high).
   * Bounds are safe integers with high > low; a range of one value consumes no draw, as in NumPy.
   */
  randint(low: number, high?: number): number {
    const lo = high === undefined ? 0 : low;
    const hi = high === undefined ? low : high;
    if (!Number.isSafeInteger(lo)) fail('low', 'a safe integer', lo);
    if (!Number.isSafeInteger(hi) || hi <= lo) fail('high', `a safe integer > low (${lo})`, hi);
    return lo + this.boundedMasked(hi - lo - 1);
  }

  /** Shuffles `values` in place as legacy `shuffle` does for a 1-d array (Fisher-Yates from the end); returns it. */
  shuffle<T>(values: T[]): T[] {
    for (let i = values.length - 1; i >= 1; i--) {
      const j = this.boundedMasked(i);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }

  /** A random permutation of `0 .. n-1` as legacy `permutation(n)`; n an integer >= 0. */
  permutation(n: number): number[] {
    if (!Number.isSafeInteger(n) || n < 0) fail('n', 'an integer >= 0', n);
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /**
   * `k` distinct values of `0 .. n-1` as legacy `choice(n, k, replace=False)`, i.e. the first `k` of
   * `permutation(n)` (the whole permutation is drawn even when k is 0).
   */
  choice(n: number, k: number): number[] {
    if (!Number.isSafeInteger(n) || n < 1) fail('n', 'an integer >= 1', n);
    if (!Number.isSafeInteger(k) || k < 0 || k > n) fail('k', `an integer in [0, ${n}]`, k);
    return this.permutation(n).slice(0, k);
  }

  /** Standard normal as legacy `standard_normal()` / `randn()` (polar method, the second value cached). */
  standardNormal(): number {
    if (this.gauss !== null) {
      const g = this.gauss;
      this.gauss = null;
      return g;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    return f * x2;
  }

  /** {@link Random} view: `rand()`. */
  uniform(): number {
    return this.randomSample();
  }

  /** {@link Random} view: `standard_normal()`. */
  normal(): number {
    return this.standardNormal();
  }

  /** {@link Random} view: `randint(maxExclusive)`. */
  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive < 1) fail('maxExclusive', 'a safe integer >= 1', maxExclusive);
    return this.boundedMasked(maxExclusive - 1);
  }

  /** Uniform integer in [0, rng] by masked rejection (NumPy's `random_bounded_uint64` / `random_interval`). */
  private boundedMasked(rng: number): number {
    if (rng === 0) return 0;
    if (rng <= 0xffffffff) {
      const mask = smallestMask32(rng);
      let v: number;
      do {
        v = (this.nextUint32() & mask) >>> 0;
      } while (v > rng);
      return v;
    }
    // 64-bit path: the high word comes first; rng < 2^53, so the masked value is exact in a double.
    const maskHigh = smallestMask32(Math.floor(rng / TWO_POW_32));
    let v: number;
    do {
      const high = (this.nextUint32() & maskHigh) >>> 0;
      const low = this.nextUint32();
      v = high * TWO_POW_32 + low;
    } while (v > rng);
    return v;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.pos = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.pos = N;
  }

  private generate(): void {
    const mt = this.mt;
    let k = 0;
    for (; k < N - M; k++) {
      const y = (mt[k] & 0x80000000) | (mt[k + 1] & 0x7fffffff);
      mt[k] = mt[k + M] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; k < N - 1; k++) {
      const y = (mt[k] & 0x80000000) | (mt[k + 1] & 0x7fffffff);
      mt[k] = mt[k + M - N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    const y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    this.pos = 0;
  }
}

function isUint32(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}

/** Smallest all-ones bit mask >= x (x < 2^32), unsigned. */
function smallestMask32(x: number): number {
  let m = x >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}
