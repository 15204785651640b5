import { describe, expect, it } from 'vitest';
import { selectPersons } from '../../../src/data/transforms/selectPersons.js';
import { makeSequence, nested, nestedScore } from './makeSequence.js';

// Three persons, T=2, V=1: p0 absent; p1 moves 5 with mean score 0.8; p2 moves 1 with mean score 0.5.
const p0 = [[[0, 0]], [[0, 0]]];
const p1 = [[[1, 1]], [[4, 5]]];
const p2 = [[[2, 2]], [[2, 3]]];
const seq = makeSequence(
  [p0, p1, p2],
  [
    [[0], [0]],
    [[0.9], [0.7]],
    [[0.5], [0.5]],
  ],
);
const zero = [[[0, 0]], [[0, 0]]];

describe('selectPersons', () => {
  it("'stored' keeps the first M (the reference); 'zero' pads with zero persons and zero scores", () => {
    expect(nested(selectPersons(seq, 2))).toEqual([p0, p1]);
    const padded = selectPersons(seq, 5);
    expect(padded.persons).toBe(5);
    expect(nested(padded)).toEqual([p0, p1, p2, zero, zero]);
    expect(nestedScore(padded)[4]).toEqual([[0], [0]]);
  });
  it("'score' ranks by mean score, 'motion' by total motion, highest first", () => {
    expect(nested(selectPersons(seq, 2, { order: 'score' }))).toEqual([p1, p2]);
    expect(nested(selectPersons(seq, 3, { order: 'motion' }))).toEqual([p1, p2, p0]);
    const s = selectPersons(seq, 1, { order: 'score' });
    expect(nestedScore(s)[0].map((f) => f.map((x) => Math.round(x * 10)))).toEqual([[9], [7]]);
  });
  it("'loop' fills missing slots with copies of the first kept person", () => {
    expect(nested(selectPersons(seq, 4, { mode: 'loop', order: 'score' }))).toEqual([p1, p2, p0, p1]);
    const one = makeSequence([p1]);
    expect(nested(selectPersons(one, 3, { mode: 'loop' }))).toEqual([p1, p1, p1]);
  });
  it('motion skips steps from or to a missing joint; ties keep the stored order', () => {
    const appears = [[[0, 0]], [[10, 10]]];
    const s = makeSequence([appears, p2]);
    expect(nested(selectPersons(s, 2, { order: 'motion' }))).toEqual([p2, appears]);
    const tie = makeSequence([p2, p2.map((f) => f.map((j) => j.map((x) => x + 1)))]);
    expect(nested(selectPersons(tie, 2, { order: 'motion' }))[0]).toEqual(p2);
  });
  it('does not change the input and names bad arguments', () => {
    const before = Float32Array.from(seq.keypoint);
    selectPersons(seq, 1, { order: 'motion' });
    expect(seq.keypoint).toEqual(before);
    expect(() => selectPersons(seq, 0)).toThrow(/numPersons: expected an integer >= 1, got 0/);
    expect(() => selectPersons(seq, 2, { mode: 'copy' as 'loop' })).toThrow(/options.mode: expected 'zero' or 'loop', got "copy"/);
    expect(() => selectPersons(seq, 2, { order: 'size' as 'score' })).toThrow(/options.order: expected 'stored', 'score' or 'motion', got "size"/);
    expect(() => selectPersons(makeSequence([p1]), 2, { order: 'score' })).toThrow(
      /sequence.score: expected per-joint scores for order 'score', got undefined/,
    );
  });
});
