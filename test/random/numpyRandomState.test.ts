import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from '../../src/random/numpyRandomState.js';

interface Streams {
  seed: number | number[];
  uint32: number[];
  rand: number[];
  randint: Record<string, number[]>;
  randint_low_high: number[];
  permutation: Record<string, number[]>;
  choice_101_7: number[];
  standard_normal: number[];
  mixed: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/sampling/uniform_sample.json', import.meta.url), 'utf8')) as { streams: Streams[] };

describe('NumpyRandomState against NumPy legacy RandomState (fixture)', () => {
  for (const s of fixture.streams) {
    const name = JSON.stringify(s.seed);
    it(`seed ${name}: raw uint32 outputs and rand()`, () => {
      const rs = new NumpyRandomState(s.seed);
      expect(Array.from({ length: s.uint32.length }, () => rs.nextUint32())).toEqual(s.uint32);
      const r2 = new NumpyRandomState(s.seed);
      expect(Array.from({ length: s.rand.length }, () => r2.randomSample())).toEqual(s.rand);
    });
    it(`seed ${name}: randint for 32- and 64-bit bounds, and with a low bound`, () => {
      for (const [bound, values] of Object.entries(s.randint)) {
        const rs = new NumpyRandomState(s.seed);
        expect(
          values.map(() => rs.randint(Number(bound))),
          `randint(${bound})`,
        ).toEqual(values);
      }
      const rs = new NumpyRandomState(s.seed);
      expect(s.randint_low_high.map(() => rs.randint(-5, 9))).toEqual(s.randint_low_high);
    });
    it(`seed ${name}: permutation, choice without replacement, standard_normal, an interleaved stream`, () => {
      for (const [n, values] of Object.entries(s.permutation)) {
        expect(new NumpyRandomState(s.seed).permutation(Number(n)), `permutation(${n})`).toEqual(values);
      }
      expect(new NumpyRandomState(s.seed).choice(101, 7)).toEqual(s.choice_101_7);
      const g = new NumpyRandomState(s.seed);
      s.standard_normal.forEach((z) => expect(Math.abs(g.standardNormal() - z)).toBeLessThanOrEqual(4e-16 * Math.max(1, Math.abs(z))));
      const rs = new NumpyRandomState(s.seed);
      const mixed: number[] = [];
      for (let k = 0; k < 3; k++) {
        mixed.push(rs.randomSample(), rs.randint(7), ...rs.permutation(4), rs.randint(1), rs.standardNormal());
      }
      // 8 values per round: rand, randint(7), permutation(4), randint(1), standard_normal (last: within an ulp).
      const isNormal = (i: number) => i % 8 === 7;
      expect(mixed.filter((_, i) => !isNormal(i))).toEqual(s.mixed.filter((_, i) => !isNormal(i)));
      mixed.forEach((v, i) => isNormal(i) && expect(Math.abs(v - s.mixed[i])).toBeLessThanOrEqual(4e-16 * Math.max(1, Math.abs(v))));
    });
  }

  it('reseeding restarts the stream and clears the cached normal; the Random view uses the same draws', () => {
    const rs = new NumpyRandomState(3);
    const first = [rs.randomSample(), rs.standardNormal()];
    rs.seed(3);
    expect([rs.randomSample(), rs.standardNormal()]).toEqual(first);
    const a = new NumpyRandomState(9),
      b = new NumpyRandomState(9);
    expect([a.uniform(), a.int(10), a.normal()]).toEqual([b.randomSample(), b.randint(10), b.standardNormal()]);
  });

  it('a one-value range consumes no draw (NumPy randint(1) / shuffle of one element)', () => {
    const a = new NumpyRandomState(5),
      b = new NumpyRandomState(5);
    a.randint(1);
    a.randint(4, 5);
    a.permutation(1);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('names bad arguments', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(/seed: expected an integer in \[0, 2\^32 - 1\]/);
    expect(() => new NumpyRandomState(2 ** 32)).toThrow(/seed: expected/);
    expect(() => new NumpyRandomState([])).toThrow(/seed: expected .*non-empty/);
    expect(() => new NumpyRandomState([1, 1.5])).toThrow(/seed\[1\]: expected an integer in \[0, 2\^32 - 1\], got 1.5/);
    const rs = new NumpyRandomState(0);
    expect(() => rs.randint(0)).toThrow(/high: expected a safe integer > low \(0\), got 0/);
    expect(() => rs.randint(5, 5)).toThrow(/high: expected a safe integer > low \(5\), got 5/);
    expect(() => rs.randint(0.5, 3)).toThrow(/low: expected a safe integer, got 0.5/);
    expect(() => rs.permutation(-1)).toThrow(/n: expected an integer >= 0, got -1/);
    expect(() => rs.choice(5, 6)).toThrow(/k: expected an integer in \[0, 5\], got 6/);
    expect(() => rs.int(0)).toThrow(/maxExclusive: expected a safe integer >= 1, got 0/);
  });
});
