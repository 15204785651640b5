import * as tf from '@tensorflow/tfjs-core';
import { columnSums } from './columnSums.js';
import { dilatedOutputGradient, flippedTransposedFilter, type ConvGeometry, type SpatialPadding } from './convGeometry.js';
import type { ConvActivation } from './directConvolution.js';

/**
 * The `'matmul'` formulation of {@link paddedConv2d}: the patches of `x` as a matrix
 * `[n * oh * ow, kh * kw * cin]` (one zero pad, one slice per tap, one concat) times the filter as a
 * `[kh * kw * cin, cout]` matrix (fused with bias and activation). Gradients are matMuls too:
 * dL/dfilter = patches^T dy, dL/dx = the patches of the stride-dilated `dy` times the flipped
 * filter's matrix. Keeps the patches (kh * kw times the input) for the backward pass.
 * Input `[n, h, w, cin]`, filter `[kh, kw, cin, cout]`, bias `[cout]` or null, output `[n, oh, ow, cout]`.
 */
export function im2colConvolution(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, g: ConvGeometry, activation: ConvActivation): tf.Tensor4D {
  const forward = (...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xIn, fIn] = args as [tf.Tensor4D, tf.Tensor4D];
    const bIn = bias ? (args[2] as tf.Tensor1D) : undefined;
    const patches = patchMatrix(
      xIn,
      g.kh,
      g.kw,
      [g.sh, g.sw],
      [
        [g.ph, g.ph],
        [g.pw, g.pw],
      ],
    );
    const weights = tf.reshape(fIn, [g.kh * g.kw * g.cin, g.cout]);
    const product = bIn || activation !== 'linear' ? tf.fused.matMul({ a: patches, b: weights, bias: bIn, activation }) : tf.matMul(patches, weights);
    const value = tf.reshape(product, [g.n, g.oh, g.ow, g.cout]);
    save(activation === 'relu' ? [patches, fIn, value] : [patches, fIn]);
    // Inside a tidy: tfjs runs a customGrad's gradient function outside any.
    const gradFunc = (dyIn: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => {
        const [ps, fs, ys] = saved as [tf.Tensor2D, tf.Tensor4D, tf.Tensor4D?];
        const dy = (ys ? tf.mul(dyIn, tf.step(ys)) : dyIn) as tf.Tensor4D;
        const dyRows = tf.reshape(dy, [g.n * g.oh * g.ow, g.cout]) as tf.Tensor2D;
        const dFilter = tf.reshape(tf.matMul(ps, dyRows, true, false), [g.kh, g.kw, g.cin, g.cout]);
        const { dilated, padding } = dilatedOutputGradient(dy, g);
        const dyPatches = patchMatrix(dilated, g.kh, g.kw, [1, 1], padding);
        const flipped = tf.reshape(flippedTransposedFilter(fs), [g.kh * g.kw * g.cout, g.cin]);
        const dx = tf.reshape(tf.matMul(dyPatches, flipped), [g.n, g.h, g.w, g.cin]);
        const grads: tf.Tensor[] = [dx, dFilter];
        if (bias) grads.push(columnSums(dyRows));
        return grads;
      });
    return { value, gradFunc };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return (bias ? op(x, filter, bias) : op(x, filter)) as tf.Tensor4D;
}

/**
 * The patches of `x` `[n, h, w, c]` for a `kh x kw` window with the given strides and explicit zero
 * padding, as a `[n * oh * ow, kh * kw * c]` matrix whose columns run over (tap row, tap column,
 * channel), the row-major order of a `[kh, kw, c, cout]` filter.
 */
export function patchMatrix(x: tf.Tensor4D, kh: number, kw: number, strides: [number, number], padding: SpatialPadding): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  const [sh, sw] = strides;
  const [[top, bottom], [left, right]] = padding;
  const oh = Math.floor((h + top + bottom - kh) / sh) + 1;
  const ow = Math.floor((w + left + right - kw) / sw) + 1;
  const padded =
    top + bottom + left + right > 0
      ? tf.pad(x, [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ])
      : x;
  const [, ph, pw] = padded.shape;
  const rows = (oh - 1) * sh + 1;
  const cols = (ow - 1) * sw + 1;
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      if (i === 0 && j === 0 && rows === ph && cols === pw && sh === 1 && sw === 1) taps.push(padded);
      else if (sh === 1 && sw === 1) taps.push(tf.slice(padded, [0, i, j, 0], [n, rows, cols, c]));
      else taps.push(tf.stridedSlice(padded, [0, i, j, 0], [n, i + rows, j + cols, c], [1, sh, sw, 1]) as tf.Tensor4D);
    }
  }
  const stacked = taps.length === 1 ? taps[0] : tf.concat(taps, 3);
  return tf.reshape(stacked, [n * oh * ow, kh * kw * c]);
}
