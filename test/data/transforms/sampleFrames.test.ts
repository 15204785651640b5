import { describe, expect, it } from 'vitest';
import { sampleFrames } from '../../../src/data/transforms/sampleFrames.js';
import { makeSequence, nested, nestedScore } from './makeSequence.js';

describe('sampleFrames', () => {
  const seq = makeSequence(
    [
      [[[1, 2]], [[3, 4]], [[5, 6]]],
      [[[7, 8]], [[9, 10]], [[11, 12]]],
    ],
    [
      [[0.1], [0.2], [0.3]],
      [[0.4], [0.5], [0.6]],
    ],
    { label: 3, id: 'clip' },
  );
  it('gathers keypoints and scores per person, repeats allowed; the input is untouched', () => {
    const before = Float32Array.from(seq.keypoint);
    const out = sampleFrames(seq, [2, 0, 0, 1]);
    expect(out.frames).toBe(4);
    expect(nested(out)).toEqual([
      [[[5, 6]], [[1, 2]], [[1, 2]], [[3, 4]]],
      [[[11, 12]], [[7, 8]], [[7, 8]], [[9, 10]]],
    ]);
    expect(nestedScore(out).map((p) => p.map((f) => f.map((x) => Math.round(x * 10))))).toEqual([
      [[3], [1], [1], [2]],
      [[6], [4], [4], [5]],
    ]);
    expect(out.label).toBe(3);
    expect(out.id).toBe('clip');
    expect(seq.keypoint).toEqual(before);
  });
  it('names a bad index', () => {
    expect(() => sampleFrames(seq, [0, 3])).toThrow(/indices\[1\]: expected a frame index in \[0, 2\], got 3/);
    expect(() => sampleFrames(seq, [0.5])).toThrow(/indices\[0\]: expected a frame index in \[0, 2\], got 0.5/);
    expect(() => sampleFrames(seq, [])).toThrow(/indices: expected a non-empty array of frame indices/);
  });
});
