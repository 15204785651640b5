import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/random/random.js';

describe('createRandom', () => {
  it('is deterministic, uniform in [0, 1), normal with mean 0 and sd 1', () => {
    const a = createRandom(7),
      b = createRandom(7),
      c = createRandom(8);
    const sa = Array.from({ length: 5 }, () => a.uniform());
    expect(sa).toEqual(Array.from({ length: 5 }, () => b.uniform()));
    expect(sa).not.toEqual(Array.from({ length: 5 }, () => c.uniform()));
    const r = createRandom(1);
    const u = Array.from({ length: 20000 }, () => r.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, x) => s + x, 0) / u.length).toBeCloseTo(0.5, 1);
    const z = Array.from({ length: 20000 }, () => r.normal());
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, x) => s + (x - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    const ints = new Set(Array.from({ length: 500 }, () => r.int(6)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('names bad arguments', () => {
    expect(() => createRandom(1.5)).toThrow(/seed: expected a safe integer, got 1.5/);
    expect(() => createRandom(0).int(0)).toThrow(/maxExclusive: expected an integer in \[1, 2\^32\], got 0/);
  });
});
