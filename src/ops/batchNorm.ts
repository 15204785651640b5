import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';

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
 */
export function batchNormLastAxis(x: tf.Tensor, v: BatchNormVariables, opts: BatchNormOptions): tf.Tensor {
  if (!opts.training) {
    // x * s + (beta - mean * s) with s = gamma / sqrt(var + eps): exact gradients on every backend.
    const s = tf.mul(v.gamma.read(), tf.rsqrt(tf.add(v.movingVariance.read(), opts.epsilon)));
    return tf.add(tf.mul(x, s), tf.sub(v.beta.read(), tf.mul(v.movingMean.read(), s)));
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const mean = tf.mean(x, axes);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axes);
  const scale = tf.mul(tf.rsqrt(tf.add(variance, opts.epsilon)), v.gamma.read());
  const y = tf.add(tf.mul(centred, scale), v.beta.read());
  const count = x.size / x.shape[x.shape.length - 1];
  const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
  updateMoving(v.movingMean, mean, opts.momentum);
  updateMoving(v.movingVariance, unbiased, opts.momentum);
  return y;
}

function updateMoving(variable: LayerVariable, batchValue: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const old = variable.read();
    variable.write(tf.add(tf.mul(old, 1 - momentum), tf.mul(batchValue, momentum)));
  });
}
