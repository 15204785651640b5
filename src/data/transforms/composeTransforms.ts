import { fail } from '../../errors.js';
import type { Random } from '../../random/random.js';
import type { SkeletonSequence } from '../skeletonSequence.js';

/** One pipeline step: a pure transform of a clip, given a random source (deterministic steps ignore it). */
export type TransformStep = (seq: SkeletonSequence, random: Random) => SkeletonSequence;

/**
 * Chains steps left to right into one {@link TransformStep}; every step gets the same `random`. No steps: identity.
 *
 * @example
 * ```ts
 * import { composeTransforms, createRandom, gaussianNoise, randomRotation, randomScale, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // 3D: [M][T][V][3]
 * const augment = composeTransforms(randomRotation, randomScale, gaussianNoise); // each with its defaults
 * const augmented = augment(seq, createRandom(0));
 * ```
 */
export function composeTransforms(...steps: TransformStep[]): TransformStep {
  steps.forEach((s, i) => {
    if (typeof s !== 'function') fail(`steps[${i}]`, 'a function (seq, random) => seq', s);
  });
  return (seq, random) => steps.reduce((acc, step) => step(acc, random), seq);
}
