import { describe, expect, it } from 'vitest';
import { boneParents } from '../../../src/layouts/bones.js';
import { jointMotion, jointToBone, skeletonFeatures } from '../../../src/data/transforms/skeletonFeatures.js';
import { makeSequence, nested, nestedScore, patternSequence } from './makeSequence.js';

const parents = [0, 0, 1];
// M=1, T=2, V=3, 2D with scores.
const seq = makeSequence(
  [
    [
      [
        [1, 2],
        [4, 6],
        [5, 8],
      ],
      [
        [2, 2],
        [4, 9],
        [7, 7],
      ],
    ],
  ],
  [
    [
      [0.2, 0.4, 0.8],
      [0.6, 1.0, 0.0],
    ],
  ],
);
const approx = (a: number[][][][], b: number[][][][]) => a.flat(3).forEach((x, i) => expect(x).toBeCloseTo(b.flat(3)[i], 6));
const approxScore = (a: number[][][], b: number[][][]) => a.flat(2).forEach((x, i) => expect(x).toBeCloseTo(b.flat(2)[i], 6));

describe('jointToBone', () => {
  it('bone = joint - parent joint (root 0); bone score = mean of the two scores', () => {
    const b = jointToBone(seq, parents);
    expect(nested(b)).toEqual([
      [
        [
          [0, 0],
          [3, 4],
          [1, 2],
        ],
        [
          [0, 0],
          [2, 7],
          [3, -2],
        ],
      ],
    ]);
    approxScore(nestedScore(b), [
      [
        [0.2, 0.3, 0.6],
        [0.6, 0.8, 0.5],
      ],
    ]);
    expect(nested(seq)[0][0][1]).toEqual([4, 6]);
  });
  it('names a wrong parents array', () => {
    expect(() => jointToBone(seq, [0, 0])).toThrow(/^parents.length: expected 3 \(one joint index per joint\), got 2$/);
    expect(() => jointToBone(seq, [0, 0, 3])).toThrow(/parents\[2\]: expected a joint index in \[0, 2\], got 3/);
    expect(() => jointToBone(seq, 'coco' as unknown as number[])).toThrow(/parents: expected an array of 3 joint indices/);
  });
});

describe('jointMotion', () => {
  it('x[t+1] - x[t], last frame 0; score (s[t] + s[t+1]) / 2, last 0', () => {
    const m = jointMotion(seq);
    expect(nested(m)).toEqual([
      [
        [
          [1, 0],
          [0, 3],
          [2, -1],
        ],
        [
          [0, 0],
          [0, 0],
          [0, 0],
        ],
      ],
    ]);
    approxScore(nestedScore(m), [
      [
        [0.4, 0.7, 0.4],
        [0, 0, 0],
      ],
    ]);
  });
  it('a 1-frame sequence has no motion', () => {
    const one = makeSequence([[[[1, 2, 3]]], [[[4, 5, 6]]]]);
    expect(Array.from(jointMotion(one).keypoint)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('skeletonFeatures', () => {
  it("['j'] with scores is (x, y, score) per joint and consumes the score (GenSkeFeat)", () => {
    const j = skeletonFeatures(seq);
    expect(j.dims).toBe(3);
    expect(j.score).toBeUndefined();
    approx(nested(j), [
      [
        [
          [1, 2, 0.2],
          [4, 6, 0.4],
          [5, 8, 0.8],
        ],
        [
          [2, 2, 0.6],
          [4, 9, 1],
          [7, 7, 0],
        ],
      ],
    ]);
  });
  it("['b', 'j'] concatenates in the given order; 'bm' is the motion of bones with their scores", () => {
    const f = skeletonFeatures(seq, ['b', 'j', 'bm'], parents);
    expect(f.dims).toBe(9);
    approx(nested(f), [
      [
        [
          [0, 0, 0.2, 1, 2, 0.2, 0, 0, 0.4],
          [3, 4, 0.3, 4, 6, 0.4, -1, 3, 0.55],
          [1, 2, 0.6, 5, 8, 0.8, 2, -4, 0.55],
        ],
        [
          [0, 0, 0.6, 2, 2, 0.6, 0, 0, 0],
          [2, 7, 0.8, 4, 9, 1, 0, 0, 0],
          [3, -2, 0.5, 7, 7, 0, 0, 0, 0],
        ],
      ],
    ]);
  });
  it('without scores (3D) each feature has the raw dims; all four modalities', () => {
    const s3 = patternSequence(2, 3, 25, 3);
    const f = skeletonFeatures(s3, ['j', 'b', 'jm', 'bm'], boneParents('nturgb+d'));
    expect(f.dims).toBe(12);
    const at = (m: number, t: number, v: number, c: number) => f.keypoint[((m * 3 + t) * 25 + v) * 12 + c];
    const raw = (m: number, t: number, v: number, c: number) => s3.keypoint[((m * 3 + t) * 25 + v) * 3 + c];
    // joint 5's parent is 4; motion of frame 1 -> 2; bone motion; last frame of motion is 0.
    expect(at(1, 1, 5, 0)).toBe(raw(1, 1, 5, 0));
    expect(at(1, 1, 5, 4)).toBe(Math.fround(raw(1, 1, 5, 1) - raw(1, 1, 4, 1)));
    expect(at(1, 1, 5, 8)).toBe(Math.fround(raw(1, 2, 5, 2) - raw(1, 1, 5, 2)));
    const bone = (t: number) => Math.fround(raw(0, t, 5, 0) - raw(0, t, 4, 0));
    expect(at(0, 0, 5, 9)).toBe(Math.fround(bone(1) - bone(0)));
    expect([9, 10, 11, 6, 7, 8].map((c) => at(0, 2, 7, c))).toEqual([0, 0, 0, 0, 0, 0]);
    // Root (joint 20) bone is 0.
    expect([3, 4, 5].map((c) => at(0, 0, 20, c))).toEqual([0, 0, 0]);
  });
  it('names bad arguments', () => {
    expect(() => skeletonFeatures(seq, [])).toThrow(/feats: expected a non-empty array/);
    expect(() => skeletonFeatures(seq, ['j', 'x' as 'j'])).toThrow(/feats\[1\]: expected one of 'j', 'b', 'jm', 'bm', got "x"/);
    expect(() => skeletonFeatures(seq, ['j', 'j'])).toThrow(/feats: expected each feature once, got \["j", "j"\]$/);
    expect(() => skeletonFeatures(seq, ['b'])).toThrow(/parents: expected joint parents/);
    expect(() => skeletonFeatures(seq, ['bm'], [0, 1, 2, 3])).toThrow(/^parents.length: expected 3 \(one joint index per joint\), got 4$/);
  });
});
