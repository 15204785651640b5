import * as tf from '@tensorflow/tfjs-core';

/** A per-channel affine map `y[..., c] = x[..., c] * scale[c] + shift[c]`, both `[C]`. */
export interface ChannelAffine {
  scale: tf.Tensor1D;
  shift: tf.Tensor1D;
}

/** The four running-statistics inputs of one batch norm over the last axis, each `[C]` (tensors or variables). */
export interface BatchNormStatistics {
  gamma: tf.Tensor | { read(): tf.Tensor };
  beta: tf.Tensor | { read(): tf.Tensor };
  movingMean: tf.Tensor | { read(): tf.Tensor };
  movingVariance: tf.Tensor | { read(): tf.Tensor };
}

const value = (t: tf.Tensor | { read(): tf.Tensor }): tf.Tensor => (t instanceof tf.Tensor ? t : t.read());

/**
 * An inference-mode batch norm as a per-channel affine map: `scale = gamma / sqrt(movingVariance + epsilon)`,
 * `shift = beta - movingMean * scale` (differentiable in gamma and beta). The caller owns the two tensors.
 */
export function batchNormAffine(bn: BatchNormStatistics, epsilon: number): ChannelAffine {
  return tf.tidy(() => {
    const scale = tf.mul(value(bn.gamma), tf.rsqrt(tf.add(value(bn.movingVariance), epsilon))) as tf.Tensor1D;
    const shift = tf.sub(value(bn.beta), tf.mul(value(bn.movingMean), scale)) as tf.Tensor1D;
    return { scale, shift };
  });
}

/** `second(first(x))` of two per-channel affine maps of the same width: `scale = s1 s2`, `shift = t1 s2 + t2`. The caller owns the result. */
export function composeAffine(first: ChannelAffine, second: ChannelAffine): ChannelAffine {
  return tf.tidy(() => ({
    scale: tf.mul(first.scale, second.scale) as tf.Tensor1D,
    shift: tf.add(tf.mul(first.shift, second.scale), second.shift) as tf.Tensor1D,
  }));
}

/**
 * Folds a per-output-channel affine map applied after a convolution (or dense map) into it:
 * `affine(conv(x, kernel) + bias) = conv(x, kernel * scale) + (bias * scale + shift)`. `kernel` has the
 * output channel last (`[..., Cout]`, every tfjs conv/dense layout), `bias` is `[Cout]`. The caller owns the result.
 */
export function foldAffineIntoKernel<K extends tf.Tensor>(kernel: K, bias: tf.Tensor, affine: ChannelAffine): { kernel: K; bias: tf.Tensor1D } {
  return tf.tidy(() => ({
    kernel: tf.mul(kernel, affine.scale) as K,
    bias: tf.add(tf.mul(bias, affine.scale), affine.shift) as tf.Tensor1D,
  }));
}
