import * as tf from '@tensorflow/tfjs-core';

/**
 * Mixes the joint axis of `[B, M, T, V, C]` with a matrix `[R, V]`:
 * `out[b, m, t, r, c] = sum_j matrix[r, j] * x[b, m, t, j, c]`, giving `[B, M, T, R, C]`.
 * Written with `transpose` + `matMul`, which every backend can run and differentiate.
 */
export function mixJoints(x: tf.Tensor, matrix: tf.Tensor2D): tf.Tensor {
  const [b, m, t, v, c] = x.shape;
  const r = matrix.shape[0];
  const rows = tf.reshape(tf.transpose(x, [0, 1, 2, 4, 3]), [b * m * t * c, v]);
  const mixed = tf.matMul(rows, matrix, false, true);
  return tf.transpose(tf.reshape(mixed, [b, m, t, c, r]), [0, 1, 2, 4, 3]);
}

/**
 * The sum over batch, persons, frames and channels of `a[..., r, c] * b[..., j, c]`: `[R, J]`.
 * For `a = dL/dout` and `b = in` of a joint mixing, this is the gradient of the mixing matrix.
 */
export function jointOuterProductSum(a: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const r = a.shape[3] as number;
  const j = b.shape[3] as number;
  const aRows = tf.reshape(tf.transpose(a, [3, 0, 1, 2, 4]), [r, -1]);
  const bRows = tf.reshape(tf.transpose(b, [3, 0, 1, 2, 4]), [j, -1]);
  return tf.matMul(aRows, bRows, false, true);
}
