import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../../src/random/random.js';
import { gaussianNoise, randomRotation, randomScale } from '../../../src/data/transforms/augment.js';
import { makeSequence, nested, patternSequence } from './makeSequence.js';

/** A Random whose uniforms come from a list and whose normals are all 1. */
function scripted(uniforms: number[]): Random {
  const queue = [...uniforms];
  return {
    uniform: () => {
      const u = queue.shift();
      if (u === undefined) throw new Error('no more uniforms');
      return u;
    },
    normal: () => 1,
    int: () => 0,
  };
}
const close = (a: number[][][][], b: number[][][][]) => a.flat(3).forEach((x, i) => expect(x).toBeCloseTo(b.flat(3)[i], 6));

describe('randomRotation', () => {
  const unitY = makeSequence([
    [
      [
        [0, 1, 0],
        [0, 0, 0],
      ],
    ],
  ]);
  it('3D: angles about x, y, z from u in [0, 1) as (2u - 1) * max, composed Rz * Ry * Rx', () => {
    close(nested(randomRotation(unitY, scripted([1, 0.5, 0.5]), { maxDegrees: 90 })), [
      [
        [
          [0, 0, 1],
          [0, 0, 0],
        ],
      ],
    ]);
    close(nested(randomRotation(unitY, scripted([0.5, 0.5, 1]), { maxDegrees: 90 })), [
      [
        [
          [-1, 0, 0],
          [0, 0, 0],
        ],
      ],
    ]);
    // x first, then y: (0,1,0) -> (0,0,1) -> (1,0,0); the other order would give (0,0,1).
    close(nested(randomRotation(unitY, scripted([1, 1, 0.5]), { maxDegrees: 90 })), [
      [
        [
          [1, 0, 0],
          [0, 0, 0],
        ],
      ],
    ]);
  });
  it('2D: one in-plane angle; scores kept', () => {
    const flat = makeSequence(
      [
        [
          [
            [1, 0],
            [0, 2],
          ],
        ],
      ],
      [[[0.3, 0.6]]],
    );
    const out = randomRotation(flat, scripted([0]), { maxDegrees: 90 });
    close(nested(out), [
      [
        [
          [0, -1],
          [2, 0],
        ],
      ],
    ]);
    expect(out.score).toEqual(flat.score);
  });
  it('preserves lengths, keeps zero joints zero, is reproducible per seed', () => {
    const seq = patternSequence(2, 3, 5, 3);
    seq.keypoint.fill(0, 6, 9);
    const out = randomRotation(seq, createRandom(4), { maxDegrees: 180 });
    expect(Array.from(out.keypoint.subarray(6, 9))).toEqual([0, 0, 0]);
    for (let i = 0; i < seq.keypoint.length; i += 3) {
      expect(Math.hypot(...out.keypoint.subarray(i, i + 3))).toBeCloseTo(Math.hypot(...seq.keypoint.subarray(i, i + 3)), 5);
    }
    expect(randomRotation(seq, createRandom(4), { maxDegrees: 180 }).keypoint).toEqual(out.keypoint);
    expect(out.keypoint).not.toEqual(seq.keypoint);
    expect(randomRotation(seq, createRandom(4), { maxDegrees: 0 }).keypoint).toEqual(seq.keypoint);
  });
});

describe('randomScale', () => {
  it('one factor per axis, uniform in range; zero joints stay zero', () => {
    const seq = makeSequence([
      [
        [
          [2, 3],
          [0, 0],
        ],
      ],
    ]);
    expect(nested(randomScale(seq, scripted([0, 1]), { range: [0.5, 2] }))).toEqual([
      [
        [
          [1, 6],
          [0, 0],
        ],
      ],
    ]);
    const s = randomScale(patternSequence(1, 4, 3, 3), createRandom(1));
    const ratios = [0, 1, 2].map((c) => s.keypoint[c] / patternSequence(1, 4, 3, 3).keypoint[c]);
    ratios.forEach((r) => {
      expect(r).toBeGreaterThanOrEqual(0.9 - 1e-6);
      expect(r).toBeLessThanOrEqual(1.1 + 1e-6);
    });
  });
});

describe('gaussianNoise', () => {
  it('adds std * normal to present joints only', () => {
    const seq = makeSequence([
      [
        [
          [1, 2],
          [0, 0],
        ],
        [
          [3, 0],
          [0, 0],
        ],
      ],
    ]);
    expect(nested(gaussianNoise(seq, scripted([]), { std: 0.5 }))).toEqual([
      [
        [
          [1.5, 2.5],
          [0, 0],
        ],
        [
          [3.5, 0.5],
          [0, 0],
        ],
      ],
    ]);
    expect(gaussianNoise(seq, createRandom(2), { std: 0 }).keypoint).toEqual(seq.keypoint);
    const clean = patternSequence(1, 50, 20, 2);
    const noisy = gaussianNoise(clean, createRandom(3), { std: 0.1 });
    const diffs = Array.from(noisy.keypoint).map((x, i) => x - clean.keypoint[i]);
    const sd = Math.sqrt(diffs.reduce((a, d) => a + d * d, 0) / diffs.length);
    expect(sd).toBeGreaterThan(0.09);
    expect(sd).toBeLessThan(0.11);
  });
});

describe('augmentation arguments', () => {
  const seq = patternSequence(1, 2, 3, 3);
  it('names bad arguments', () => {
    expect(() => randomRotation(patternSequence(1, 2, 3, 4), createRandom(0))).toThrow(/sequence.dims: expected 2 or 3 coordinates for a rotation, got 4/);
    expect(() => randomRotation(seq, createRandom(0), { maxDegrees: -1 })).toThrow(/options.maxDegrees: expected a finite number >= 0, got -1/);
    expect(() => randomScale(seq, createRandom(0), { range: [2, 1] })).toThrow(/options.range: expected \[low, high\] with 0 < low <= high, got \[2, 1\]/);
    expect(() => gaussianNoise(seq, createRandom(0), { std: -0.1 })).toThrow(/options.std: expected a finite number >= 0, got -0.1/);
    expect(() => gaussianNoise(seq, undefined as unknown as Random)).toThrow(/random: expected a Random source/);
  });
});
