import { describe, expect, it } from 'vitest';
import { formatClips } from '../../../src/data/transforms/formatClips.js';
import { makeSequence, patternSequence } from './makeSequence.js';

describe('formatClips', () => {
  // M=1, T=4, V=2, 2D with scores; value = 10 t + v (+ 0.5 for y), score = t / 10.
  const kp = [[0, 1, 2, 3].map((t) => [0, 1].map((v) => [10 * t + v, 10 * t + v + 0.5]))];
  const sc = [[0, 1, 2, 3].map((t) => [t / 10, t / 10])];
  const seq = makeSequence(kp, sc, { label: 4, id: 'a' });

  it('appends the score channel, pads persons with zeros and splits frames into clips [nc, M, T/nc, V, C]', () => {
    const out = formatClips(seq, { persons: 2, numClips: 2 });
    expect(out.shape).toEqual([2, 2, 2, 2, 3]);
    expect(out.data.length).toBe(2 * 2 * 2 * 2 * 3);
    const at = (clip: number, m: number, k: number, v: number, c: number) => out.data[(((clip * 2 + m) * 2 + k) * 2 + v) * 3 + c];
    expect([at(0, 0, 1, 1, 0), at(0, 0, 1, 1, 1), at(0, 0, 1, 1, 2)]).toEqual([11, 11.5, Math.fround(0.1)]);
    expect([at(1, 0, 0, 0, 0), at(1, 0, 1, 1, 1), at(1, 0, 1, 0, 2)]).toEqual([20, 31.5, Math.fround(0.3)]);
    expect(Array.from(out.data.subarray(12, 24))).toEqual(new Array(12).fill(0)); // clip 0, person 1
    expect(out.label).toBe(4);
    expect(out.id).toBe('a');
  });

  it('defaults: 2 persons, 1 clip; without scores C = dims; extra persons are cut (first kept)', () => {
    const s = patternSequence(3, 5, 4, 3);
    const out = formatClips(s);
    expect(out.shape).toEqual([1, 2, 5, 4, 3]);
    expect(out.data).toEqual(s.keypoint.subarray(0, 2 * 5 * 4 * 3));
    expect(out.label).toBeUndefined();
    expect(formatClips(s, { persons: 1, personSelection: { order: 'motion' } }).shape).toEqual([1, 1, 5, 4, 3]);
  });

  it('names bad arguments', () => {
    expect(() => formatClips(seq, { numClips: 3 })).toThrow(/options.numClips: expected a divisor of the sequence's 4 frames, got 3/);
    expect(() => formatClips(seq, { persons: 0 })).toThrow(/options.persons: expected an integer >= 1, got 0/);
    expect(() => formatClips(seq, { numClips: 0 })).toThrow(/options.numClips: expected an integer >= 1, got 0/);
  });
});
