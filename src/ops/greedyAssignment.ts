import { failAs } from '../errors.js';

/**
 * The reference's greedy bijective assignment of a square score matrix (row-major
 * `Float32Array` or nested array, `n x n`). Rows are visited in order; row r takes the best
 * still-free column among its own top r+1 columns (descending score, ties to the lower column),
 * which always exists, so the result is a permutation: grid cell r takes node `result[r]`.
 * With `noise` (e.g. Gumbel samples, length n*n) columns are ranked by `score + noise`.
 *
 * @example
 * ```ts
 * import { greedyAssignment } from 'ske2grid';
 * greedyAssignment([[0.9, 0.1], [0.8, 0.2]], 2); // [0, 1]: row 1 prefers column 0, already taken by row 0
 * greedyAssignment(new Float32Array([0.9, 0.1, 0.8, 0.2]), 2); // the same, row-major
 * ```
 */
export function greedyAssignment(scores: ArrayLike<number> | readonly (readonly number[])[], n: number, noise?: ArrayLike<number>): number[] {
  const flat = flatten(scores, n);
  const used = new Uint8Array(n);
  const result = new Array<number>(n);
  const order = new Array<number>(n);
  for (let r = 0; r < n; r++) {
    const row = (k: number) => flat[r * n + k] + (noise ? noise[r * n + k] : 0);
    for (let k = 0; k < n; k++) order[k] = k;
    order.sort((a, b) => row(b) - row(a) || a - b);
    let chosen = -1;
    for (let k = 0; k <= Math.min(r, n - 1); k++) {
      if (!used[order[k]]) {
        chosen = order[k];
        break;
      }
    }
    used[chosen] = 1;
    result[r] = chosen;
  }
  return result;
}

/**
 * Samples `count` standard Gumbel values `-log(-log(u))` from `random` (default `Math.random`).
 *
 * @example
 * ```ts
 * import { createRandom, greedyAssignment, gumbelNoise } from 'ske2grid';
 * const random = createRandom(0);
 * const noise = gumbelNoise(25 * 25, () => random.uniform()); // Float32Array of 625 Gumbel samples
 * declare const scores: Float32Array; // a GIT layer's [25, 25] scores, row-major
 * const p = greedyAssignment(scores, 25, noise); // ranks columns by score + noise
 * ```
 */
export function gumbelNoise(count: number, random: () => number = Math.random): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const u = Math.min(Math.max(random(), 1e-12), 1 - 1e-12);
    out[i] = -Math.log(-Math.log(u));
  }
  return out;
}

/**
 * True when `p` holds every integer 0..n-1 exactly once.
 *
 * @example
 * ```ts
 * import { isPermutation } from 'ske2grid';
 * isPermutation([2, 0, 1], 3); // true
 * isPermutation([0, 0, 1], 3); // false: 0 twice, 2 missing
 * ```
 */
export function isPermutation(p: ArrayLike<number>, n: number): boolean {
  if (p.length !== n) return false;
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = p[i];
    if (!Number.isInteger(v) || v < 0 || v >= n || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

function flatten(scores: ArrayLike<number> | readonly (readonly number[])[], n: number): ArrayLike<number> {
  if (scores.length === n * n && typeof scores[0] === 'number') return scores as ArrayLike<number>;
  const rows = scores as readonly (readonly number[])[];
  if (rows.length !== n || rows.some((row) => !Array.isArray(row) || row.length !== n)) {
    failAs('greedyAssignment scores', `an ${n}x${n} score matrix`, `${rows.length} rows`);
  }
  return rows.flat();
}
