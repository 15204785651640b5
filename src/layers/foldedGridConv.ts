import * as tf from '@tensorflow/tfjs-core';
import type { ConvFormulationSetting } from '../ops/convFormulation.js';
import { paddedConv2d } from '../ops/paddedConv2d.js';

/** Residual branch of a folded grid block (already resolved: no `'auto'`). */
export type FoldedResidual = 'none' | 'identity' | 'conv';

/** The convolutions of a grid block with its batch norms folded in (float32 tensors, tfjs layouts). */
export interface FoldedGridConvKernels {
  /** `[k, k, Cin, Cout]` grid kernel with both batch norms of the spatial unit folded in. */
  spatialKernel: tf.Tensor4D;
  /** `[Cout]`. */
  spatialBias: tf.Tensor1D;
  /** `[kt, 1, Cout, Cout]` temporal kernel with the batch norm after it folded in. */
  temporalKernel: tf.Tensor4D;
  /** `[Cout]`. */
  temporalBias: tf.Tensor1D;
  /** `[1, 1, Cin, Cout]` residual kernel with its batch norm folded in (residual `'conv'` only). */
  residualKernel?: tf.Tensor4D;
  /** `[Cout]` (residual `'conv'` only). */
  residualBias?: tf.Tensor1D;
}

/** Geometry and formulation of {@link foldedGridConv}. */
export interface FoldedGridConvSpec {
  /** Temporal stride. */
  stride: number;
  /** Residual branch; `'conv'` needs the residual kernel and bias. */
  residual: FoldedResidual;
  /** How the convolutions are computed ({@link paddedConv2d}'s `formulation`). */
  formulation: ConvFormulationSetting;
}

/**
 * The inference forward of a grid block with folded batch norms (shared by {@link GridConvBlock} in
 * inference and `FoldedGridConvBlock`): input `[B, M, T, H, W, Cin]`, output `[B, M, T', H, W, Cout]`,
 * `relu(spatial_conv(x))` (k x k per frame, zero padding (k-1)/2, bias and ReLU fused) ->
 * `temporal_conv` (kt taps per cell, stride, padding (kt-1)/2) -> `+ residual` -> ReLU. Every
 * convolution is one {@link paddedConv2d} call with `spec.formulation`.
 */
export function foldedGridConv(x: tf.Tensor, kernels: FoldedGridConvKernels, spec: FoldedGridConvSpec): tf.Tensor {
  return tf.tidy(() => {
    const [b, m, t, h, wd, cin] = x.shape;
    const [k, , , cout] = kernels.spatialKernel.shape;
    const kt = kernels.temporalKernel.shape[0];
    const formulation = spec.formulation;
    const frames = tf.reshape(x, [b * m * t, h, wd, cin]) as tf.Tensor4D;
    const spatial = paddedConv2d(frames, kernels.spatialKernel, {
      padding: [(k - 1) / 2, (k - 1) / 2],
      bias: kernels.spatialBias,
      activation: 'relu',
      formulation,
    });
    const sequence = tf.reshape(spatial, [b * m, t, h * wd, cout]) as tf.Tensor4D;
    let y: tf.Tensor = paddedConv2d(sequence, kernels.temporalKernel, {
      strides: [spec.stride, 1],
      padding: [(kt - 1) / 2, 0],
      bias: kernels.temporalBias,
      activation: spec.residual === 'none' ? 'relu' : 'linear',
      formulation,
    });
    const tOut = y.shape[1] as number;
    if (spec.residual !== 'none') {
      const input = tf.reshape(x, [b * m, t, h * wd, cin]) as tf.Tensor4D;
      const shortcut =
        spec.residual === 'identity'
          ? input
          : paddedConv2d(input, kernels.residualKernel!, { strides: [spec.stride, 1], bias: kernels.residualBias!, formulation });
      y = tf.relu(tf.add(y, shortcut));
    }
    return tf.reshape(y, [b, m, tOut, h, wd, cout]);
  });
}
