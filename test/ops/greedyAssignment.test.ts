import { describe, expect, it } from 'vitest';
import { greedyAssignment, gumbelNoise, isPermutation } from '../../src/ops/greedyAssignment.js';

/** Small deterministic PRNG (mulberry32) for property tests. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('greedyAssignment', () => {
  it('reproduces the reference example (earlier rows win; not the optimal assignment)', () => {
    const w = [
      [0.9, 0.8, 0.1, 0.2],
      [0.95, 0.3, 0.2, 0.1],
      [0.1, 0.2, 0.3, 0.9],
      [0.1, 0.2, 0.3, 0.99],
    ];
    expect(greedyAssignment(w, 4)).toEqual([0, 1, 3, 2]);
  });

  it('row r only looks at its own top r+1 columns', () => {
    // Row 1 prefers column 0 (taken by row 0); its 2nd choice is column 2, not the free column 1.
    const w = [
      [1, 0, 0],
      [1, 0.1, 0.5],
      [0, 1, 0.2],
    ];
    expect(greedyAssignment(w, 3)).toEqual([0, 2, 1]);
  });

  it('breaks ties toward the lower column', () => {
    expect(
      greedyAssignment(
        [
          [1, 1],
          [1, 1],
        ],
        2,
      ),
    ).toEqual([0, 1]);
  });

  it('always returns a permutation (200 random matrices, n = 1..64)', () => {
    const random = rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 64);
      const w = Float32Array.from({ length: n * n }, () => random() * 4 - 2);
      expect(isPermutation(greedyAssignment(w, n), n)).toBe(true);
    }
  });

  it('is the identity for a diagonally dominant matrix', () => {
    const n = 10;
    const w = Float32Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? 10 : Math.random()));
    expect(greedyAssignment(w, n)).toEqual([...Array(n).keys()]);
  });

  it('with noise ranks by score + noise', () => {
    const w = [
      [0, 1],
      [0, 1],
    ];
    expect(greedyAssignment(w, 2)).toEqual([1, 0]);
    expect(greedyAssignment(w, 2, [5, 0, 0, 0])).toEqual([0, 1]);
  });

  it('rejects a matrix of the wrong size', () => {
    expect(() => greedyAssignment([[1, 2, 3]], 2)).toThrow(/2x2/);
  });
});

describe('gumbelNoise', () => {
  it('has the Gumbel mean (Euler-Mascheroni 0.5772) and is finite', () => {
    const g = gumbelNoise(20000, rng(3));
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    expect(mean).toBeGreaterThan(0.55);
    expect(mean).toBeLessThan(0.61);
    expect(g.every(Number.isFinite)).toBe(true);
  });
});

describe('isPermutation', () => {
  it('accepts bijections and rejects the rest', () => {
    expect(isPermutation([2, 0, 1], 3)).toBe(true);
    expect(isPermutation([0, 0, 1], 3)).toBe(false);
    expect(isPermutation([0, 1], 3)).toBe(false);
    expect(isPermutation([0, 1, 3], 3)).toBe(false);
    expect(isPermutation([0, 1.5, 2], 3)).toBe(false);
  });
});
