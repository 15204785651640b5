import * as tf from '@tensorflow/tfjs-core';

/**
 * `conv2d` with 'valid' padding whose filter gradient is computed as one `matMul` per kernel tap
 * instead of `Conv2DBackpropFilter`. The wasm backend has no `Conv2DBackpropFilter` kernel, so
 * this formulation is what lets every backend train; the input gradient still uses
 * `Conv2DBackpropInput`, which all backends register. Input `[N, H, W, Cin]`, filter
 * `[kh, kw, Cin, Cout]`, output `[N, H', W', Cout]`.
 */
export function conv2dValid(x: tf.Tensor4D, filter: tf.Tensor4D, strides: [number, number]): tf.Tensor4D {
  const forward = (xIn: tf.Tensor, fIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const x4 = xIn as tf.Tensor4D;
    const f4 = fIn as tf.Tensor4D;
    save([x4, f4]);
    const value = tf.conv2d(x4, f4, strides, 'valid');
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
      const dy4 = dy as tf.Tensor4D;
      const dx = tf.conv2dTranspose(dy4, fs, xs.shape, strides, 'valid');
      return [dx, filterGradient(xs, dy4, fs.shape, strides)];
    };
    return { value, gradFunc };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, filter) as tf.Tensor4D;
}

/** dL/dfilter of a 'valid' conv2d as a sum over kernel taps of `x_tap^T @ dy`. */
function filterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number],
): tf.Tensor4D {
  const [kh, kw, cin, cout] = filterShape;
  const [n, oh, ow] = dy.shape;
  const dy2 = tf.reshape(dy, [n * oh * ow, cout]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const patch = tf.stridedSlice(
        x,
        [0, i, j, 0],
        [n, i + strides[0] * (oh - 1) + 1, j + strides[1] * (ow - 1) + 1, cin],
        [1, strides[0], strides[1], 1],
      );
      taps.push(tf.matMul(tf.reshape(patch, [n * oh * ow, cin]), dy2, true, false));
    }
  }
  return tf.reshape(tf.stack(taps), [kh, kw, cin, cout]);
}

/**
 * Every `stride`-th entry along axis 1 of `[N, T, ...]` (t = 0, s, 2s, ...), written with
 * pad + reshape + slice because tfjs registers no gradient for `StridedSlice`.
 */
export function takeEveryAlongTime(x: tf.Tensor, stride: number): tf.Tensor {
  if (stride === 1) return x;
  const [n, t, ...rest] = x.shape;
  const kept = Math.ceil(t / stride);
  const padded = kept * stride === t ? x : tf.pad(x, [[0, 0], [0, kept * stride - t], ...rest.map(() => [0, 0] as [number, number])]);
  const grouped = tf.reshape(padded, [n, kept, stride, ...rest]);
  const first = tf.slice(grouped, [0, 0, 0, ...rest.map(() => 0)], [n, kept, 1, ...rest]);
  return tf.reshape(first, [n, kept, ...rest]);
}
