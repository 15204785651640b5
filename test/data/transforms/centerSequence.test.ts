import { describe, expect, it } from 'vitest';
import { centerSequence } from '../../../src/data/transforms/centerSequence.js';
import { makeSequence, nested } from './makeSequence.js';

describe('centerSequence', () => {
  const z = [0, 0];
  const seq = makeSequence([
    [
      [
        [1, 1],
        [3, 2],
      ],
      [
        [z[0], z[1]],
        [5, 5],
      ],
      [
        [2, 4],
        [2, 2],
      ],
    ],
    [
      [[4, 4], z],
      [
        [6, 6],
        [1, 0],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    ],
  ]);

  it("'first': subtracts person 0's joint in the first frame that has it; zeros stay zero", () => {
    expect(nested(centerSequence(seq, 0))).toEqual([
      [
        [
          [0, 0],
          [2, 1],
        ],
        [z, [4, 4]],
        [
          [1, 3],
          [1, 1],
        ],
      ],
      [
        [[3, 3], z],
        [
          [5, 5],
          [0, -1],
        ],
        [z, z],
      ],
    ]);
    // Joint 0 of person 0 is missing in frame 1 only; centring on joint 1 uses frame 0.
    expect(nested(centerSequence(seq, 1))[0][0]).toEqual([
      [-2, -1],
      [0, 0],
    ]);
  });

  it("'each': per frame, carrying the last present centre over missing frames", () => {
    expect(nested(centerSequence(seq, 0, { frame: 'each' }))).toEqual([
      [
        [
          [0, 0],
          [2, 1],
        ],
        [z, [4, 4]],
        [
          [0, 0],
          [0, -2],
        ],
      ],
      [
        [[3, 3], z],
        [
          [5, 5],
          [0, -1],
        ],
        [z, z],
      ],
    ]);
  });

  it('returns a copy when person 0 never has the joint; names bad arguments', () => {
    const none = makeSequence([
      [
        [
          [0, 0],
          [1, 1],
        ],
      ],
    ]);
    expect(centerSequence(none, 0).keypoint).toEqual(none.keypoint);
    expect(() => centerSequence(seq, 2)).toThrow(/joint: expected a joint index in \[0, 1\], got 2/);
    expect(() => centerSequence(seq, 0, { frame: 'all' as 'each' })).toThrow(/options.frame: expected 'first' or 'each', got "all"/);
  });
});
