import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { batchNormLastAxis, batchStatisticsNorm, type BatchNormVariables } from '../../src/ops/batchNorm.js';
import { batchNormAffine } from '../../src/ops/foldBatchNorm.js';
import { useBackend } from '../helpers/backends.js';

/** Batch norm over the last axis written with tfjs' own differentiable ops (the reference for values and gradients). */
function referenceNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), gamma), beta);
}

const maxRel = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(tf.max(tf.abs(b)).dataSync()[0], 1e-30));

/** Four BN variables of `channels` with the given values, as a layer would own them. */
function variables(values: { gamma: number[]; beta: number[]; mean: number[]; variance: number[] }): BatchNormVariables {
  const v = (name: string, data: number[]) => new tfl.LayerVariable(tf.tensor1d(data), 'float32', name, true);
  return { gamma: v('g', values.gamma), beta: v('b', values.beta), movingMean: v('m', values.mean), movingVariance: v('v', values.variance) };
}

for (const backend of ['cpu', 'wasm']) {
  describe(`batch norm over the last axis on ${backend}`, () => {
    it('batchStatisticsNorm: values, dL/dx, dL/dgamma, dL/dbeta equal the differentiated reference; mean and biased variance returned', async () => {
      await useBackend(backend);
      // Rows 6 x 7 x 5 = 210, 4 channels with different means and scales.
      const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([6, 7, 5, 4], 0, 1, 'float32', 1), tf.tensor1d([1, 3, 0.5, 10])), tf.tensor1d([0, -2, 5, 1])));
      const gamma = tf.tensor1d([1.5, -0.5, 2, 1]);
      const beta = tf.tensor1d([0.1, 0.2, -0.3, 0]);
      const w = tf.randomNormal(x.shape, 0, 1, 'float32', 2);
      const before = tf.memory().numTensors;
      const { y, mean, variance } = batchStatisticsNorm(x, gamma, beta, 1e-5);
      const yRef = tf.tidy(() => referenceNorm(x, gamma, beta, 1e-5));
      expect(maxRel(y, yRef)).toBeLessThan(1e-5);
      const moments = tf.tidy(() => tf.moments(x, [0, 1, 2]));
      expect(maxRel(mean, moments.mean)).toBeLessThan(1e-5);
      expect(maxRel(variance, moments.variance)).toBeLessThan(1e-5);
      const loss = (norm: (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(norm(a, g, b), w));
      const ours = tf.grads(
        loss((a, g, b) => {
          const r = batchStatisticsNorm(a, g, b, 1e-5);
          tf.dispose([r.mean, r.variance]);
          return r.y;
        }),
      )([x, gamma, beta]);
      const reference = tf.grads(loss((a, g, b) => referenceNorm(a, g, b, 1e-5)))([x, gamma, beta]);
      ours.forEach((g, i) => expect(maxRel(g, reference[i]), ['dx', 'dgamma', 'dbeta'][i]).toBeLessThan(2e-5));
      // dL/dx of a batch norm sums to zero over the rows of each channel.
      const colSum = tf.tidy(() => tf.sum(tf.reshape(ours[0], [-1, 4]), 0).dataSync());
      for (const s of colSum) expect(Math.abs(s)).toBeLessThan(1e-3);
      tf.dispose([y, mean, variance, yRef, moments.mean, moments.variance, ...ours, ...reference]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, gamma, beta, w]);
    });

    it('training: hand-computed output, moving statistics updated with momentum and the unbiased variance', async () => {
      await useBackend(backend);
      // One channel, values 1, 2, 3, 6: mean 3, biased variance 3.5, unbiased 14/3.
      const v = variables({ gamma: [2], beta: [1], mean: [0.5], variance: [2] });
      const x = tf.tensor2d([[1], [2], [3], [6]]);
      const before = tf.memory().numTensors;
      const y = batchNormLastAxis(x, v, { training: true, epsilon: 0, momentum: 0.1 });
      const s = 2 / Math.sqrt(3.5);
      const expected = [1, 2, 3, 6].map((t) => (t - 3) * s + 1);
      Array.from(await y.data()).forEach((val, i) => expect(val).toBeCloseTo(expected[i], 5));
      expect((await v.movingMean.read().data())[0]).toBeCloseTo(0.9 * 0.5 + 0.1 * 3, 6);
      expect((await v.movingVariance.read().data())[0]).toBeCloseTo(0.9 * 2 + (0.1 * 14) / 3, 6);
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      Object.values(v).forEach((variable) => variable.dispose());
    });

    it('inference and batchNormAffine: x * gamma / sqrt(var + eps) + (beta - mean * scale), statistics untouched', async () => {
      await useBackend(backend);
      const v = variables({ gamma: [2, 1], beta: [1, 0], mean: [3, -1], variance: [4, 0.25] });
      const x = tf.tensor2d([
        [5, 0],
        [3, 1],
      ]);
      const before = tf.memory().numTensors;
      const y = batchNormLastAxis(x, v, { training: false, epsilon: 0, momentum: 0.1 });
      // channel 0: (x - 3) * 2 / 2 + 1; channel 1: (x + 1) / 0.5.
      expect(Array.from(await y.data())).toEqual([3, 2, 1, 4]);
      const { scale, shift } = batchNormAffine(v, 0);
      expect(Array.from(await scale.data())).toEqual([1, 2]);
      expect(Array.from(await shift.data())).toEqual([-2, 2]);
      expect(Array.from(await v.movingMean.read().data())).toEqual([3, -1]);
      tf.dispose([y, scale, shift]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      Object.values(v).forEach((variable) => variable.dispose());
    });
  });
}
