import type * as tf from '@tensorflow/tfjs-core';
import { fail } from '../errors.js';
import type { Ske2GridLayer } from '../layers/layerBase.js';

/** A per-channel affine map `y[c] = x[c] * scale[c] + shift[c]` (float64). */
export interface ChannelAffine {
  scale: Float64Array;
  shift: Float64Array;
}

/**
 * The inference-mode batch norm `<prefix>_gamma|beta|moving_mean|moving_variance` of a layer as a
 * per-channel affine map: `scale = gamma / sqrt(variance + epsilon)`, `shift = beta - mean * scale`.
 * Computed in float64; throws a {@link Ske2GridError} for a variance + epsilon that is not positive.
 * `readHost` reads a weight to the host; default a synchronous `dataSync()`.
 */
export function batchNormAffine(
  layer: Ske2GridLayer,
  prefix: string,
  epsilon: number,
  readHost: (weight: tf.Tensor) => Float32Array = (w) => w.dataSync() as Float32Array,
): ChannelAffine {
  const read = (name: string) => readHost(layer.variable(`${prefix}_${name}`).read());
  const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map(read);
  const scale = new Float64Array(gamma.length);
  const shift = new Float64Array(gamma.length);
  for (let c = 0; c < gamma.length; c++) {
    const v = variance[c] + epsilon;
    if (!(v > 0)) fail(`${layer.name}/${prefix}_moving_variance[${c}]`, `a value > -epsilon (${-epsilon})`, variance[c]);
    scale[c] = gamma[c] / Math.sqrt(v);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  return { scale, shift };
}

/** `second(first(x))` for two per-channel affine maps of the same width. */
export function composeAffine(first: ChannelAffine, second: ChannelAffine): ChannelAffine {
  const n = first.scale.length;
  if (second.scale.length !== n) fail('composeAffine second', `an affine map of ${n} channels`, second.scale.length);
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = first.scale[c] * second.scale[c];
    shift[c] = first.shift[c] * second.scale[c] + second.shift[c];
  }
  return { scale, shift };
}

/**
 * Folds a per-output-channel affine map applied after a convolution (or dense map) into it:
 * `affine(conv(x, kernel) + bias) = conv(x, kernel * scale) + (bias * scale + shift)`. `kernel` is
 * row-major with the output channel last (`[..., Cout]`, every tfjs conv/dense layout), `bias` `[Cout]`.
 */
export function foldAffineIntoKernel(kernel: ArrayLike<number>, bias: ArrayLike<number>, affine: ChannelAffine): { kernel: Float32Array; bias: Float32Array } {
  const cout = affine.scale.length;
  if (bias.length !== cout) fail('foldAffineIntoKernel bias', `${cout} values (one per output channel)`, bias.length);
  if (kernel.length % cout !== 0) fail('foldAffineIntoKernel kernel', `a multiple of ${cout} values (output channel last)`, kernel.length);
  const folded = new Float32Array(kernel.length);
  for (let i = 0; i < kernel.length; i++) folded[i] = kernel[i] * affine.scale[i % cout];
  const foldedBias = new Float32Array(cout);
  for (let c = 0; c < cout; c++) foldedBias[c] = bias[c] * affine.scale[c] + affine.shift[c];
  return { kernel: folded, bias: foldedBias };
}
