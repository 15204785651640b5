import * as tf from '@tensorflow/tfjs-core';

/**
 * `conv2d` with 'valid' padding and a custom gradient written with forward `Conv2D` calls only:
 * the input gradient is a full convolution of the (stride-dilated) output gradient with the
 * flipped filter, and the filter gradient is one dilated convolution with the batch and channel
 * axes swapped. The wasm backend has no `Conv2DBackpropFilter` kernel and a slow
 * `Conv2DBackpropInput`; `Conv2D` is registered and fast on every backend, so this formulation
 * trains everywhere. Input `[N, H, W, Cin]`, filter `[kh, kw, Cin, Cout]`, output `[N, H', W', Cout]`.
 * The grid blocks use {@link paddedConv2d} (own padding, fused bias, choice of formulation) instead.
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
      return [inputGradient(dy4, fs, xs.shape, strides), filterGradient(xs, dy4, fs.shape, strides)];
    };
    return { value, gradFunc };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, filter) as tf.Tensor4D;
}

/** dL/dx of a 'valid' conv2d: `conv2d(pad(dilate(dy)), flip(filter)^T)`. */
function inputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, xShape: number[], strides: [number, number]): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  const [, oh, ow] = dy.shape;
  const g = dilateAxis(dilateAxis(dy, 1, strides[0]), 2, strides[1]);
  // Input rows/columns beyond the last window (when (H - kh) is not a multiple of the stride) get zero gradient.
  const extraH = xShape[1] - ((oh - 1) * strides[0] + kh);
  const extraW = xShape[2] - ((ow - 1) * strides[1] + kw);
  const padded = tf.pad(g, [
    [0, 0],
    [kh - 1, kh - 1 + extraH],
    [kw - 1, kw - 1 + extraW],
    [0, 0],
  ]) as tf.Tensor4D;
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(padded, flipped, 1, 'valid');
}

/** dL/dfilter of a 'valid' conv2d: `conv2d(x^T, dy^T, dilation = stride)` with batch and channels swapped. */
function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], strides: [number, number]): tf.Tensor4D {
  const [kh, kw, cin] = filterShape;
  const [n, oh, ow] = dy.shape;
  const rows = (oh - 1) * strides[0] + kh;
  const cols = (ow - 1) * strides[1] + kw;
  const used = rows === x.shape[1] && cols === x.shape[2] ? x : tf.slice(x, [0, 0, 0, 0], [n, rows, cols, cin]);
  const xt = tf.transpose(used, [3, 1, 2, 0]) as tf.Tensor4D; // [Cin, H, W, N]
  const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, N, Cout]
  const dilations: [number, number] = [oh > 1 ? strides[0] : 1, ow > 1 ? strides[1] : 1];
  const out = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', dilations); // [Cin, kh, kw, Cout]
  return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
}

/** Inserts `stride - 1` zeros between consecutive entries along `axis` (length n -> (n - 1) * stride + 1). */
function dilateAxis(t: tf.Tensor4D, axis: number, stride: number): tf.Tensor4D {
  if (stride === 1 || t.shape[axis] === 1) return t;
  const n = t.shape[axis];
  const expanded = tf.expandDims(t, axis + 1);
  const pads = expanded.shape.map((_, i) => (i === axis + 1 ? [0, stride - 1] : [0, 0]) as [number, number]);
  const shape = [...t.shape];
  shape[axis] = n * stride;
  const merged = tf.reshape(tf.pad(expanded, pads), shape);
  const size = [...shape];
  size[axis] = (n - 1) * stride + 1;
  return tf.slice(merged, [0, 0, 0, 0], size) as tf.Tensor4D;
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
