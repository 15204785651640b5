import * as tf from '@tensorflow/tfjs-core';
import { columnSums } from './columnSums.js';
import { conv2dPad, dilatedOutputGradient, filterGradientPadding, flippedTransposedFilter, inputGradientPhases, type ConvGeometry } from './convGeometry.js';

/** Activation fused into a convolution. */
export type ConvActivation = 'linear' | 'relu';

/**
 * The `'conv2d'` formulation of {@link paddedConv2d}: one (fused) `Conv2D` forward with the
 * convolution's own explicit padding, and a custom gradient made of forward `Conv2D` calls only
 * (the wasm backend has no `Conv2DBackpropFilter` and a slow `Conv2DBackpropInput`):
 * - dL/dx: the output gradient convolved with the flipped filter (stride 1, own padding; no pad
 *   or slice for stride 1); a stride along H is handled per phase ({@link inputGradientPhases}),
 *   other strides by dilating the output gradient ({@link dilatedOutputGradient});
 * - dL/dfilter: `x` as `[cin, h, w, n]` convolved with `dy` as a `[oh, ow, n, cout]` filter,
 *   dilated by the stride, with padding (no slice of `x`); result `[cin, kh, kw, cout]`;
 * - dL/dbias: per-channel sums of `dy`.
 * Input `[n, h, w, cin]`, filter `[kh, kw, cin, cout]`, bias `[cout]` or null, output `[n, oh, ow, cout]`.
 */
export function directConvolution(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, g: ConvGeometry, activation: ConvActivation): tf.Tensor4D {
  const strides: [number, number] = [g.sh, g.sw];
  const pad = conv2dPad([
    [g.ph, g.ph],
    [g.pw, g.pw],
  ]);
  const forward = (...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xIn, fIn] = args as [tf.Tensor4D, tf.Tensor4D];
    const bIn = bias ? (args[2] as tf.Tensor1D) : undefined;
    const value =
      bIn || activation !== 'linear' ? tf.fused.conv2d({ x: xIn, filter: fIn, strides, pad, bias: bIn, activation }) : tf.conv2d(xIn, fIn, strides, pad);
    save(activation === 'relu' ? [xIn, fIn, value] : [xIn, fIn]);
    // tfjs runs a customGrad's gradient function outside any tidy, so without this one every
    // intermediate (transposes, dilated dy) would live until the whole backward pass ends.
    const gradFunc = (dyIn: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => {
        const [xs, fs, ys] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D?];
        const dy = (ys ? tf.mul(dyIn, tf.step(ys)) : dyIn) as tf.Tensor4D;
        const grads: tf.Tensor[] = [inputGradient(dy, fs, g), filterGradient(xs, dy, g)];
        if (bias) grads.push(columnSums(tf.reshape(dy, [-1, g.cout])));
        return grads;
      });
    return { value, gradFunc };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return (bias ? op(x, filter, bias) : op(x, filter)) as tf.Tensor4D;
}

/**
 * dL/dx `[n, h, w, cin]`: a stride-1 conv of `dy` with the flipped, transposed filter. With a
 * stride along H, one such conv per phase (the filter rows that reach those input rows, see
 * {@link inputGradientPhases}), interleaved by one concat; otherwise over the stride-dilated `dy`.
 */
function inputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const split = inputGradientPhases(g);
  if (!split) {
    const { dilated, padding } = dilatedOutputGradient(dy, g);
    return tf.conv2d(dilated, flippedTransposedFilter(filter), 1, conv2dPad(padding));
  }
  const { phases, rows } = split;
  const width: [number, number] = [g.kw - 1 - g.pw, g.kw - 1 - g.pw];
  const parts = phases.map(({ taps, padding }) => {
    const part =
      taps.length === 0
        ? tf.zeros([g.n, rows, g.w, g.cin])
        : tf.conv2d(dy, flippedTransposedFilter(tf.gather(filter, taps, 0) as tf.Tensor4D), 1, conv2dPad([padding, width]));
    return tf.reshape(part, [g.n, rows, 1, g.w * g.cin]);
  });
  const dx = tf.reshape(tf.concat(parts, 2), [g.n, rows * g.sh, g.w, g.cin]) as tf.Tensor4D;
  return rows * g.sh === g.h ? dx : tf.slice(dx, [0, 0, 0, 0], [g.n, g.h, g.w, g.cin]);
}

/**
 * dL/dfilter `[kh, kw, cin, cout]`: one conv with batch and channel axes swapped, dilated by the
 * stride. When the filter does not move along W (`kw = 1`, no W padding or stride: the temporal
 * and residual convolutions), W is folded into the contracted axis next to the batch, so the GEMM
 * runs over `w * n` contiguous values per tap instead of `n`.
 */
function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const { padding, extraRows, extraCols } = filterGradientPadding(g);
  let xt = tf.transpose(x, [3, 1, 2, 0]); // [cin, h, w, n]
  let dyt = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, n, cout]
  if (g.kw === 1 && g.pw === 0 && g.sw === 1) {
    xt = tf.reshape(xt, [g.cin, g.h, 1, g.w * g.n]);
    dyt = tf.reshape(dyt, [g.oh, 1, g.ow * g.n, g.cout]);
  }
  const dilations: [number, number] = [g.oh > 1 ? g.sh : 1, g.ow > 1 ? g.sw : 1];
  let out = tf.conv2d(xt, dyt, 1, conv2dPad(padding), 'NHWC', dilations); // [cin, kh(+extra), kw(+extra), cout]
  if (extraRows > 0 || extraCols > 0) out = tf.slice(out, [0, 0, 0, 0], [g.cin, g.kh, g.kw, g.cout]);
  return tf.transpose(out, [1, 2, 0, 3]);
}
