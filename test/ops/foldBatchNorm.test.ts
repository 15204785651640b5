import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormAffine, composeAffine, foldAffineIntoKernel } from '../../src/ops/foldBatchNorm.js';
import { useBackend } from '../helpers/backends.js';

beforeAll(() => useBackend('cpu'));

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('foldBatchNorm', () => {
  it('batchNormAffine: scale = gamma / sqrt(var + eps), shift = beta - mean * scale (tensors or variables)', () => {
    const stats = { gamma: tf.tensor1d([2, 1]), beta: tf.tensor1d([1, 0]), movingMean: tf.tensor1d([3, -1]), movingVariance: tf.tensor1d([3.5, 0.0625]) };
    const before = tf.memory().numTensors;
    const { scale, shift } = batchNormAffine(stats, 0.5);
    expect(values(scale)).toEqual([1, 1.3333333730697632]);
    expect(values(shift)).toEqual([-2, 1.3333333730697632]);
    const variables = {
      gamma: tf.variable(stats.gamma),
      beta: tf.variable(stats.beta),
      movingMean: tf.variable(stats.movingMean),
      movingVariance: tf.variable(stats.movingVariance),
    };
    const wrapped = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, { read: () => v }])) as unknown as Parameters<typeof batchNormAffine>[0];
    const again = batchNormAffine(wrapped, 0.5);
    expect(values(again.scale)).toEqual(values(scale));
    expect(values(again.shift)).toEqual(values(shift));
    tf.dispose([scale, shift, again.scale, again.shift]);
    expect(tf.memory().numTensors).toBe(before + 4); // the variables
    tf.dispose([...Object.values(stats), ...Object.values(variables)]);
  });

  it('composeAffine: second(first(x)) = x * s1 s2 + (t1 s2 + t2)', () => {
    const first = { scale: tf.tensor1d([2, -1]), shift: tf.tensor1d([1, 3]) };
    const second = { scale: tf.tensor1d([3, 0.5]), shift: tf.tensor1d([-1, 2]) };
    const both = composeAffine(first, second);
    expect(values(both.scale)).toEqual([6, -0.5]);
    expect(values(both.shift)).toEqual([2, 3.5]);
    // Property: applying the composite equals applying both in turn.
    const x = tf.tensor2d([
      [0.5, -2],
      [4, 1],
    ]);
    const direct = tf.add(tf.mul(tf.add(tf.mul(x, first.scale), first.shift), second.scale), second.shift);
    const composed = tf.add(tf.mul(x, both.scale), both.shift);
    expect(values(composed)).toEqual(values(direct));
    tf.dispose([first.scale, first.shift, second.scale, second.shift, both.scale, both.shift, x, direct, composed]);
  });

  it('foldAffineIntoKernel: affine(conv(x, k) + b) = conv(x, k * scale) + (b * scale + shift), output channel last', () => {
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const kernel = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const bias = tf.tensor1d([0.5, -0.25]);
    const affine = { scale: tf.tensor1d([1.5, -2]), shift: tf.tensor1d([0.1, 0.7]) };
    const folded = foldAffineIntoKernel(kernel, bias, affine);
    expect(folded.kernel.shape).toEqual([3, 3, 3, 2]);
    expect(values(folded.bias)).toEqual([0.5 * 1.5 + 0.1, -0.25 * -2 + 0.7].map(Math.fround));
    const reference = tf.add(tf.mul(tf.add(tf.conv2d(x, kernel, 1, 'same'), bias), affine.scale), affine.shift);
    const fast = tf.add(tf.conv2d(x, folded.kernel, 1, 'same'), folded.bias);
    const diff = tf.max(tf.abs(tf.sub(reference, fast))).dataSync()[0];
    expect(diff).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(reference)).dataSync()[0]).toBeGreaterThan(1);
    tf.dispose([x, kernel, bias, affine.scale, affine.shift, folded.kernel, folded.bias, reference, fast]);
  });
});
