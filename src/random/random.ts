import { fail } from '../errors.js';

/** A seeded pseudo-random source (not cryptographic); the same seed always gives the same sequence. */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
  /** Uniform integer in [0, maxExclusive); `maxExclusive` an integer >= 1. */
  int(maxExclusive: number): number;
}

/**
 * Creates a deterministic {@link Random} from an integer `seed` (any safe integer, negative included):
 * a mulberry32 generator (32-bit state) for uniforms and Box-Muller for normals.
 *
 * @example
 * ```ts
 * import { createRandom } from 'ske2grid';
 * const random = createRandom(42);
 * random.uniform(); // in [0, 1), the same value for seed 42 on every run
 * random.int(10); // in 0..9
 * ```
 */
export function createRandom(seed: number): Random {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) fail('seed', 'a safe integer', seed);
  // Fold the high bits in so seeds that differ only above 2^32 still differ.
  let state = (seed | 0) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x9e3779b1);
  let spare: number | null = null;

  const uniform = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const normal = (): number => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const u = 1 - uniform(); // (0, 1]: log is finite
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };

  const int = (maxExclusive: number): number => {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 4294967296) {
      fail('maxExclusive', 'an integer in [1, 2^32]', maxExclusive);
    }
    return Math.floor(uniform() * maxExclusive);
  };

  return { uniform, normal, int };
}
