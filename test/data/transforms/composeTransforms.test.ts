import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random/random.js';
import { composeTransforms, type TransformStep } from '../../../src/data/transforms/composeTransforms.js';
import { patternSequence } from './makeSequence.js';

describe('composeTransforms', () => {
  it('runs steps left to right with the same random; no steps is the identity; names a bad step', () => {
    const calls: string[] = [];
    const random = createRandom(0);
    const step =
      (name: string): TransformStep =>
      (seq, r) => {
        calls.push(name);
        expect(r).toBe(random);
        return { ...seq, frames: seq.frames + 1 };
      };
    const seq = patternSequence(1, 1, 1, 2);
    expect(composeTransforms(step('a'), step('b'))(seq, random).frames).toBe(3);
    expect(calls).toEqual(['a', 'b']);
    expect(composeTransforms()(seq, random)).toBe(seq);
    expect(() => composeTransforms(step('a'), 3 as unknown as TransformStep)).toThrow(/steps\[1\]: expected a function \(seq, random\) => seq, got 3/);
  });
});
