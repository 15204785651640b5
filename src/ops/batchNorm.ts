import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { columnMeans } from './columnSums.js';
import { batchNormAffine } from './foldBatchNorm.js';

/** The four variables of one batch normalisation over the last axis. */
export interface BatchNormVariables {
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/** Hyper-parameters with PyTorch meaning: `momentum` is the weight of the new batch (default 0.1), `epsilon` 1e-5. */
export interface BatchNormOptions {
  training: boolean;
  epsilon: number;
  momentum: number;
}

/**
 * Batch normalisation over the last axis with PyTorch semantics: in training, normalises with the
 * batch mean and biased variance and updates the running statistics with the unbiased variance
 * (`running = (1 - momentum) * running + momentum * batch`); otherwise uses the running statistics.
 * Any shape `[..., C]`; the training path has a custom gradient (see {@link batchStatisticsNorm}).
 */
export function batchNormLastAxis(x: tf.Tensor, v: BatchNormVariables, opts: BatchNormOptions): tf.Tensor {
  return tf.tidy(() => {
    if (!opts.training) {
      // x * s + (beta - mean * s) with s = gamma / sqrt(var + eps): exact gradients on every backend.
      const { scale, shift } = batchNormAffine(v, opts.epsilon);
      return tf.add(tf.mul(x, scale), shift);
    }
    const { y, mean, variance } = batchStatisticsNorm(x, v.gamma.read(), v.beta.read(), opts.epsilon);
    const count = x.size / x.shape[x.shape.length - 1];
    const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
    updateMoving(v.movingMean, mean, opts.momentum);
    updateMoving(v.movingVariance, unbiased, opts.momentum);
    tf.dispose([mean, variance]);
    return y;
  });
}

/**
 * Training-mode batch normalisation of `x` `[..., C]` with batch statistics: returns `y` and the batch
 * `mean` and biased `variance` `[C]` (the caller owns and disposes those two). Two-pass statistics
 * (mean, then the mean of squared deviations) for PyTorch's numerics; the custom gradient is the
 * closed form
 * `dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat))`, `dgamma = sum(dy * xhat)`,
 * `dbeta = sum(dy)` with `xhat = (x - mean) / sigma`, which needs 5 full-size elementwise kernels
 * instead of the ~15 that differentiating the forward ops takes.
 */
export function batchStatisticsNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const channels = x.shape[x.shape.length - 1];
  const rows = x.size / channels;
  let stats: [tf.Tensor1D, tf.Tensor1D] | null = null;
  const forward = (xIn: tf.Tensor, gIn: tf.Tensor, bIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const flat = tf.reshape(xIn, [rows, channels]) as tf.Tensor2D;
    const mean = columnMeans(flat);
    const centred = tf.sub(flat, mean) as tf.Tensor2D;
    const variance = columnMeans(tf.square(centred) as tf.Tensor2D);
    const inverseStd = tf.rsqrt(tf.add(variance, epsilon));
    const value = tf.reshape(tf.add(tf.mul(centred, tf.mul(gIn, inverseStd)), bIn), xIn.shape);
    stats = [tf.keep(mean), tf.keep(variance)];
    save([centred, inverseStd, gIn]);
    // Inside a tidy: tfjs runs a customGrad's gradient function outside any.
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => {
        const [c, s, gm] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        const dyFlat = tf.reshape(dy, [rows, channels]) as tf.Tensor2D;
        const meanDy = columnMeans(dyFlat);
        const meanDyCentred = columnMeans(tf.mul(dyFlat, c) as tf.Tensor2D); // = mean(dy * xhat) / s
        const a = tf.mul(gm, s); // gamma / sigma
        // dx = a * dy + centred * (-a * s^2 * meanDyCentred) + (-a * meanDy)
        const k1 = tf.neg(tf.mul(a, tf.mul(tf.square(s), meanDyCentred)));
        const k2 = tf.neg(tf.mul(a, meanDy));
        const dx = tf.add(tf.add(tf.mul(dyFlat, a), tf.mul(c, k1)), k2);
        return [tf.reshape(dx, xIn.shape), tf.mul(meanDyCentred, tf.mul(s, rows)), tf.mul(meanDy, rows)];
      });
    return { value, gradFunc };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, gamma, beta);
  const [mean, variance] = stats as unknown as [tf.Tensor1D, tf.Tensor1D];
  return { y, mean, variance };
}

function updateMoving(variable: LayerVariable, batchValue: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const old = variable.read();
    variable.write(tf.add(tf.mul(old, 1 - momentum), tf.mul(batchValue, momentum)));
  });
}
