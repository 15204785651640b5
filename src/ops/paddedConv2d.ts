import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../errors.js';
import { convGeometry } from './convGeometry.js';
import { checkConvFormulation, formulationFor, type ConvFormulationSetting } from './convFormulation.js';
import { directConvolution, type ConvActivation } from './directConvolution.js';
import { im2colConvolution } from './im2colConvolution.js';

/** Options of {@link paddedConv2d}. */
export interface PaddedConv2dOptions {
  /** `[strideH, strideW]`; default `[1, 1]`. */
  strides?: [number, number];
  /** Zeros added on both sides of each spatial axis, `[padH, padW]` (PyTorch's `padding`), at most kernel size - 1; default `[0, 0]`. */
  padding?: [number, number];
  /** Bias `[cout]` added to the output (fused into the kernel); default none. */
  bias?: tf.Tensor1D | null;
  /** Activation applied after the bias (fused): `'linear'` or `'relu'`; default `'linear'`. */
  activation?: ConvActivation;
  /** How to compute it ({@link ConvFormulation}); `'auto'` is resolved from the active backend at call time; default `'auto'`. */
  formulation?: ConvFormulationSetting;
}

/**
 * A 2-D convolution with symmetric zero padding and stride, in PyTorch `Conv2d` semantics (the
 * grid convolution, the temporal convolution and the 1x1 strided residual convolution of a grid
 * block), differentiable on every backend through custom gradients made of forward kernels only.
 * Input `[n, h, w, cin]`, filter `[kh, kw, cin, cout]`, output `[n, oh, ow, cout]` with
 * `oh = floor((h + 2 padH - kh) / strideH) + 1` (likewise `ow`). Every formulation gives the same
 * values and gradients up to float32 rounding.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { paddedConv2d } from 'ske2grid';
 * const x = tf.zeros([8, 5, 5, 16]) as tf.Tensor4D; // [N, H, W, Cin]: frames of a 5x5 grid
 * const w = tf.zeros([3, 3, 16, 32]) as tf.Tensor4D; // [kh, kw, Cin, Cout]
 * const y = paddedConv2d(x, w, { padding: [1, 1], activation: 'relu' }); // [8, 5, 5, 32], PyTorch-style padding
 * ```
 */
export function paddedConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, options: PaddedConv2dOptions = {}): tf.Tensor4D {
  if (!(x instanceof tf.Tensor) || x.rank !== 4) fail('paddedConv2d x', 'a rank-4 tensor [n, h, w, cin]', x instanceof tf.Tensor ? x.shape : x);
  if (!(filter instanceof tf.Tensor) || filter.rank !== 4) {
    fail('paddedConv2d filter', 'a rank-4 tensor [kh, kw, cin, cout]', filter instanceof tf.Tensor ? filter.shape : filter);
  }
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') fail('paddedConv2d dtypes', 'float32 input and filter', [x.dtype, filter.dtype]);
  if (x.shape[3] !== filter.shape[2]) fail('paddedConv2d filter', `input channels ${x.shape[3]} (x is ${JSON.stringify(x.shape)})`, filter.shape);
  const strides = options.strides ?? [1, 1];
  if (!Array.isArray(strides) || strides.length !== 2 || !strides.every((s) => Number.isInteger(s) && s >= 1)) {
    fail('paddedConv2d strides', 'two positive integers [strideH, strideW]', strides);
  }
  const padding = options.padding ?? [0, 0];
  const [kh, kw, , cout] = filter.shape;
  if (!Array.isArray(padding) || padding.length !== 2 || !padding.every((p) => Number.isInteger(p) && p >= 0)) {
    fail('paddedConv2d padding', 'two non-negative integers [padH, padW]', padding);
  }
  if (padding[0] > kh - 1 || padding[1] > kw - 1) fail('paddedConv2d padding', `at most the kernel size - 1 per axis ([${kh - 1}, ${kw - 1}])`, padding);
  const [, h, w] = x.shape;
  if (h + 2 * padding[0] < kh || w + 2 * padding[1] < kw) {
    fail('paddedConv2d x', `a padded input at least as large as the ${kh}x${kw} kernel`, `[${h}, ${w}] padded by ${JSON.stringify(padding)}`);
  }
  const bias = options.bias ?? null;
  if (bias !== null && (!(bias instanceof tf.Tensor) || bias.rank !== 1 || bias.shape[0] !== cout)) {
    fail('paddedConv2d bias', `a rank-1 tensor [${cout}]`, bias instanceof tf.Tensor ? bias.shape : bias);
  }
  const activation = options.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') fail('paddedConv2d activation', "'linear' or 'relu'", activation);
  const formulation = formulationFor(checkConvFormulation('paddedConv2d formulation', options.formulation));

  const g = convGeometry(x.shape, filter.shape, strides, padding);
  return formulation === 'matmul' ? im2colConvolution(x, filter, bias, g, activation) : directConvolution(x, filter, bias, g, activation);
}
