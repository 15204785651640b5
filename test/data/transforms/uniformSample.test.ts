import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from '../../../src/random/numpyRandomState.js';
import { createRandom } from '../../../src/random/random.js';
import { uniformSampleIndices } from '../../../src/data/transforms/uniformSample.js';

interface Case {
  n: number;
  clipLen: number;
  numClips: number;
  test: string;
  train: string;
}
interface Fixture {
  trainSeed: number;
  uniformSample: Case[];
  successiveTrain: { seed: number; clipLen: number; numClips: number; n: number[]; indices: string[] };
  croppedTrain: { seed: number; clipLen: number; numClips: number; pInterval: [number, number]; n: number[]; indices: string[] };
  croppedTest: { n: number; clipLen: number; numClips: number; pInterval: [number, number]; indices: string };
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/sampling/uniform_sample.json', import.meta.url), 'utf8')) as Fixture;

/** Decodes the fixture's run strings: "0-2,5" -> [0, 1, 2, 5]. */
function runs(s: string): number[] {
  return s.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, k) => a + k);
  });
}

describe('uniformSampleIndices against the NumPy port of UniformSampleFrames (fixture)', () => {
  it('covers the fixture grid (12 lengths x 2 clip lengths x 2 clip counts)', () => {
    expect(fixture.uniformSample).toHaveLength(48);
  });
  for (const c of fixture.uniformSample) {
    it(`n=${c.n} clipLen=${c.clipLen} numClips=${c.numClips}: test and train (seed ${fixture.trainSeed}) indices`, () => {
      const opts = { numClips: c.numClips };
      expect(Array.from(uniformSampleIndices(c.n, c.clipLen, { ...opts, mode: 'test' }))).toEqual(runs(c.test));
      const random = new NumpyRandomState(fixture.trainSeed);
      expect(Array.from(uniformSampleIndices(c.n, c.clipLen, { ...opts, mode: 'train', random }))).toEqual(runs(c.train));
    });
  }
  it('successive train calls continue one generator', () => {
    const f = fixture.successiveTrain;
    const random = new NumpyRandomState(f.seed);
    f.n.forEach((n, k) => expect(Array.from(uniformSampleIndices(n, f.clipLen, { numClips: f.numClips, random }))).toEqual(runs(f.indices[k])));
  });
  it('pInterval crops a random window per clip (train and test)', () => {
    const f = fixture.croppedTrain;
    const random = new NumpyRandomState(f.seed);
    f.n.forEach((n, k) =>
      expect(Array.from(uniformSampleIndices(n, f.clipLen, { numClips: f.numClips, random, pInterval: f.pInterval }))).toEqual(runs(f.indices[k])),
    );
    const t = fixture.croppedTest;
    expect(Array.from(uniformSampleIndices(t.n, t.clipLen, { numClips: t.numClips, mode: 'test', pInterval: t.pInterval }))).toEqual(runs(t.indices));
  });
});

describe('uniformSampleIndices rules (hand-computed)', () => {
  it('test mode: n = L gives arange; n < L loops, clip i starting at floor(i n / numClips)', () => {
    expect(Array.from(uniformSampleIndices(5, 5, { mode: 'test' }))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(uniformSampleIndices(3, 5, { mode: 'test', numClips: 2 }))).toEqual([0, 1, 2, 0, 1, 1, 2, 0, 1, 2]);
    // n < numClips: clip i starts at i.
    expect(Array.from(uniformSampleIndices(2, 3, { mode: 'test', numClips: 3 }))).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0]);
  });
  it('a 1-frame video gives frame 0 everywhere', () => {
    expect(Array.from(uniformSampleIndices(1, 4, { mode: 'test', numClips: 2 }))).toEqual(new Array(8).fill(0));
    expect(Array.from(uniformSampleIndices(1, 4, { random: createRandom(1) }))).toEqual([0, 0, 0, 0]);
  });
  it('properties for any Random: L <= n < 2L strictly increasing; n >= 2L one frame per segment', () => {
    const random = createRandom(11);
    for (let trial = 0; trial < 20; trial++) {
      const mid = Array.from(uniformSampleIndices(13, 10, { random }));
      expect(mid).toHaveLength(10);
      for (let k = 1; k < 10; k++) expect(mid[k]).toBeGreaterThan(mid[k - 1]);
      expect(mid[9]).toBeLessThan(13);
      const long = Array.from(uniformSampleIndices(35, 10, { random }));
      long.forEach((t, k) => {
        expect(t).toBeGreaterThanOrEqual(Math.floor((k * 35) / 10));
        expect(t).toBeLessThan(Math.floor(((k + 1) * 35) / 10));
      });
    }
  });
  it('test mode ignores prior state and is the same on every call; seed changes it', () => {
    const a = uniformSampleIndices(150, 100, { mode: 'test', numClips: 10 });
    expect(uniformSampleIndices(150, 100, { mode: 'test', numClips: 10 })).toEqual(a);
    expect(Array.from(uniformSampleIndices(150, 100, { mode: 'test' }))).toEqual(Array.from(a.subarray(0, 100)));
    expect(uniformSampleIndices(150, 100, { mode: 'test', seed: 1 })).not.toEqual(a.subarray(0, 100));
  });
  it('names bad arguments', () => {
    expect(() => uniformSampleIndices(0, 5, { mode: 'test' })).toThrow(/totalFrames: expected an integer >= 1, got 0/);
    expect(() => uniformSampleIndices(10, 0, { mode: 'test' })).toThrow(/clipLen: expected an integer >= 1, got 0/);
    expect(() => uniformSampleIndices(10, 5, { mode: 'test', numClips: 0 })).toThrow(/options.numClips: expected an integer >= 1, got 0/);
    expect(() => uniformSampleIndices(10, 5)).toThrow(/options.random: expected a Random source/);
    expect(() => uniformSampleIndices(10, 5, { mode: 'val' as 'test' })).toThrow(/options.mode: expected 'train' or 'test', got "val"/);
    expect(() => uniformSampleIndices(10, 5, { mode: 'test', pInterval: [0.8, 0.5] })).toThrow(/options.pInterval: expected/);
    expect(() => uniformSampleIndices(10, 5, { mode: 'test', pInterval: 0 })).toThrow(/options.pInterval: expected/);
    expect(() => uniformSampleIndices(10, 5, { mode: 'test', seed: -1 })).toThrow(/seed: expected an integer in \[0, 2\^32 - 1\]/);
  });
});
