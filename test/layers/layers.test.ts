import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { GridConvBlock } from '../../src/layers/GridConvBlock.js';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { PersonGridPooling } from '../../src/layers/PersonGridPooling.js';
import { SkeletonNormalization } from '../../src/layers/SkeletonNormalization.js';
import { UpsamplingTransform } from '../../src/layers/UpsamplingTransform.js';
import { useBackend } from '../helpers/backends.js';
import { runLayerTest } from '../helpers/runLayerTest.js';

for (const backend of ['cpu', 'wasm']) {
  describe(`layer contract on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('SkeletonNormalization', () =>
      runLayerTest({
        make: () => new SkeletonNormalization({ name: 'norm' }),
        inputShape: [2, null, 5, 3],
        input: () => tf.randomNormal([3, 2, 4, 5, 3]),
        outputShape: [3, 2, 4, 5, 3],
        trainableParams: 30,
        nonTrainableParams: 30,
      }));

    it('UpsamplingTransform with a prior', () =>
      runLayerTest({
        make: () =>
          new UpsamplingTransform({
            name: 'upt',
            outNodes: 9,
            prior: [
              [1, 1, 0, 0],
              [0, 1, 0, 0],
              [0, 1, 1, 0],
              [0, 0, 1, 1],
            ],
          }),
        inputShape: [2, null, 4, 3],
        input: () => tf.randomNormal([2, 2, 5, 4, 3]),
        outputShape: [2, 2, 5, 9, 3],
        trainableParams: 36,
        nonTrainableParams: 0,
      }));

    it('GridIndexTransform', () =>
      runLayerTest({
        make: () => new GridIndexTransform({ name: 'git', nodes: 9 }),
        inputShape: [1, 6, 9, 2],
        input: () => tf.randomNormal([2, 1, 6, 9, 2]),
        outputShape: [2, 1, 6, 9, 2],
        trainableParams: 81,
        nonTrainableParams: 9,
      }));

    it('GridConvBlock with a strided conv residual', () =>
      runLayerTest({
        make: () => new GridConvBlock({ name: 'block', filters: 6, stride: 2 }),
        inputShape: [2, null, 3, 3, 4],
        input: () => tf.randomNormal([2, 2, 5, 3, 3, 4]),
        outputShape: [2, 2, 3, 3, 3, 6],
        // spatial 3*3*4*6+6, temporal 9*6*6+6, residual 4*6+6, 4 BN x (gamma, beta) x 6
        trainableParams: 222 + 330 + 30 + 48,
        nonTrainableParams: 48,
      }));

    it('GridConvBlock with identity residual and dropout', () =>
      runLayerTest({
        make: () => new GridConvBlock({ name: 'block', filters: 4, dropout: 0.2 }),
        inputShape: [1, 6, 2, 2, 4],
        input: () => tf.randomNormal([2, 1, 6, 2, 2, 4]),
        outputShape: [2, 1, 6, 2, 2, 4],
        trainableParams: 148 + 148 + 24,
        nonTrainableParams: 24,
      }));

    it('PersonGridPooling', () =>
      runLayerTest({
        make: () => new PersonGridPooling({ name: 'pool' }),
        inputShape: [2, 3, 2, 2, 5],
        input: () => tf.randomNormal([4, 2, 3, 2, 2, 5]),
        outputShape: [4, 5],
        trainableParams: 0,
        nonTrainableParams: 0,
      }));
  });
}
