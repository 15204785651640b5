import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GridConvBlock } from '../../src/layers/GridConvBlock.js';
import { SkeletonNormalization } from '../../src/layers/SkeletonNormalization.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { setBatchNormFrozen } from '../../src/model/setBatchNormFrozen.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

const movingStats = (model: ReturnType<typeof buildSke2Grid>) =>
  model.weights.filter((w) => /moving_(mean|variance)/.test(w.originalName)).map((w) => Array.from(w.read().dataSync()));

describe('setBatchNormFrozen', () => {
  it('flags the skeleton norm and every block, and frozen they keep their running statistics in training', () => {
    const model = buildSke2Grid({ ...TINY, seed: 1 });
    expect(setBatchNormFrozen(model, true)).toBe(1 + 3);
    const flagged = model.layers.filter((l) => l instanceof GridConvBlock || l instanceof SkeletonNormalization) as (GridConvBlock | SkeletonNormalization)[];
    expect(flagged.map((l) => l.frozenBatchNorm)).toEqual([true, true, true, true]);
    const x = tf.randomNormal([2, 2, 8, 17, 3], 0, 1, 'float32', 4);
    const before = movingStats(model);
    tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
    expect(movingStats(model)).toEqual(before);
    expect(setBatchNormFrozen(model, false)).toBe(4);
    tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
    expect(movingStats(model)).not.toEqual(before);
    x.dispose();
    model.dispose();
  });
});
