import { describe, expect, it } from 'vitest';
import { normalize2D } from '../../../src/data/transforms/normalize2d.js';
import { makeSequence, nested } from './makeSequence.js';

describe('normalize2D', () => {
  const seq = makeSequence(
    [
      [
        [
          [0, 0],
          [4, 2],
          [8, 4],
          [6, 1],
        ],
      ],
    ],
    [[[0, 0.01, 0.02, 0.9]]],
    { imageShape: [4, 8], label: 1 },
  );

  it('maps x to (x - w/2)/(w/2) and y to (y - h/2)/(h/2) with the sequence image size; stored zeros become -1 (reference)', () => {
    const out = normalize2D(seq);
    expect(nested(out)).toEqual([
      [
        [
          [-1, -1],
          [0, 0],
          [1, 1],
          [0.5, -0.5],
        ],
      ],
    ]);
    expect(Array.from(out.score ?? [])).toEqual(Array.from(seq.score ?? []));
    expect(out.score).not.toBe(seq.score);
    expect(out.label).toBe(1);
    expect(nested(seq)).toEqual([
      [
        [
          [0, 0],
          [4, 2],
          [8, 4],
          [6, 1],
        ],
      ],
    ]);
  });

  it('options.imageShape wins over the sequence; default 1080 x 1920; float32 arithmetic as NumPy', () => {
    expect(nested(normalize2D(seq, { imageShape: [8, 16] }))[0][0][3]).toEqual([-0.25, -0.75]);
    const px = makeSequence([
      [
        [
          [1000.3, 0.7],
          [123.456, 540.25],
          [1919.99, 1079.9],
        ],
      ],
    ]);
    // Values from NumPy: float32 keypoints, (k - w/2) / (w/2) in place.
    expect(Array.from(normalize2D(px).keypoint)).toEqual([
      0.04197915270924568, -0.99870365858078, -0.871399998664856, 0.00046296295477077365, 0.9999895691871643, 0.9998148679733276,
    ]);
    const odd = makeSequence([[[[7.3, 3.1]]]], undefined, { imageShape: [5, 7] });
    expect(Array.from(normalize2D(odd).keypoint)).toEqual([1.085714340209961, 0.23999996483325958]);
  });

  it("'masked' sets joints with score <= threshold to (0, 0); without scores, stored zeros stay zero", () => {
    expect(nested(normalize2D(seq, { mode: 'masked' }))).toEqual([
      [
        [
          [0, 0],
          [0, 0],
          [1, 1],
          [0.5, -0.5],
        ],
      ],
    ]);
    expect(nested(normalize2D(seq, { mode: 'masked', threshold: 0.5 }))).toEqual([
      [
        [
          [0, 0],
          [0, 0],
          [0, 0],
          [0.5, -0.5],
        ],
      ],
    ]);
    const noScore = makeSequence(
      [
        [
          [
            [0, 0],
            [4, 0],
          ],
        ],
      ],
      undefined,
      { imageShape: [4, 8] },
    );
    expect(nested(normalize2D(noScore, { mode: 'masked' }))).toEqual([
      [
        [
          [0, 0],
          [0, -1],
        ],
      ],
    ]);
  });

  it('leaves channels after x, y unchanged', () => {
    const three = makeSequence([[[[8, 4, 0.7]]]], undefined, { imageShape: [4, 8] });
    expect(nested(normalize2D(three))).toEqual([[[[1, 1, Math.fround(0.7)]]]]);
  });

  it('names bad arguments', () => {
    expect(() => normalize2D(seq, { imageShape: [0, 8] })).toThrow(/options.imageShape: expected \[height, width\] with positive sizes, got \[0, 8\]/);
    expect(() => normalize2D({ ...seq, imageShape: [4] as unknown as [number, number] })).toThrow(/sequence.imageShape: expected/);
    expect(() => normalize2D(seq, { mode: 'auto' as 'masked' })).toThrow(/options.mode: expected 'reference' or 'masked', got "auto"/);
    expect(() => normalize2D(seq, { threshold: NaN })).toThrow(/options.threshold: expected a finite number/);
    expect(() => normalize2D(makeSequence([[[[1]]]]))).toThrow(/sequence.dims: expected at least 2/);
    expect(() => normalize2D({ ...seq, keypoint: new Float32Array(3) })).toThrow(/sequence.keypoint: expected 8 values/);
  });
});
