import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { fail, failAs } from '../errors.js';
import { batchNormLastAxis, type BatchNormVariables } from '../ops/batchNorm.js';
import { batchNormAffine, composeAffine, foldAffineIntoKernel } from '../ops/foldBatchNorm.js';
import { checkConvFormulation, type ConvFormulationSetting } from '../ops/convFormulation.js';
import { paddedConv2d } from '../ops/paddedConv2d.js';
import { foldedGridConv, type FoldedGridConvKernels, type FoldedResidual } from './foldedGridConv.js';
import { Ske2GridLayer, isTraining, single, singleShape, type Kwargs, type LayerArgs, type Shape } from './layerBase.js';

/** Residual branch of a {@link GridConvBlock}. */
export type ResidualMode = 'auto' | 'none' | 'identity' | 'conv';

/** Sizes that fix the shapes of a {@link GridConvBlock}'s weights. */
export interface GridConvBlockDims {
  /** Input channels. */
  cin: number;
  /** Output channels (`filters`). */
  cout: number;
  /** Side of the grid kernel. */
  kernelSize: number;
  /** Taps of the temporal kernel. */
  temporalKernelSize: number;
}

/**
 * The weight schema of a {@link GridConvBlock}: each convolution weight's name (after the layer
 * prefix; saved models and the official-weight map depend on them) and its shape. The residual
 * kernel and bias exist for the `'conv'` residual only. See {@link GRID_CONV_BLOCK_BATCH_NORMS} for the batch norms.
 */
export const GRID_CONV_BLOCK_WEIGHTS = Object.freeze({
  spatialKernel: { name: 'spatial_conv_kernel', shape: (d: GridConvBlockDims) => [d.kernelSize, d.kernelSize, d.cin, d.cout] },
  spatialBias: { name: 'spatial_conv_bias', shape: (d: GridConvBlockDims) => [d.cout] },
  temporalKernel: { name: 'temporal_conv_kernel', shape: (d: GridConvBlockDims) => [d.temporalKernelSize, 1, d.cout, d.cout] },
  temporalBias: { name: 'temporal_conv_bias', shape: (d: GridConvBlockDims) => [d.cout] },
  residualKernel: { name: 'residual_conv_kernel', shape: (d: GridConvBlockDims) => [d.cin, d.cout] },
  residualBias: { name: 'residual_conv_bias', shape: (d: GridConvBlockDims) => [d.cout] },
} as const);

/**
 * Prefixes of a {@link GridConvBlock}'s batch norms, in forward order, each `[Cout]` weights named by
 * {@link batchNormWeightName} (`residual` for the `'conv'` residual only).
 */
export const GRID_CONV_BLOCK_BATCH_NORMS = Object.freeze({
  spatial: 'spatial_bn',
  temporalIn: 'temporal_bn_in',
  temporalOut: 'temporal_bn_out',
  residual: 'residual_bn',
} as const);

/** Arguments of {@link GridConvBlock}. */
export interface GridConvBlockArgs extends LayerArgs {
  /** Output channels. Required. */
  filters: number;
  /** Temporal stride; default 1. */
  stride?: number;
  /**
   * Residual branch: `'none'`, `'identity'`, `'conv'` (1x1 strided conv + BN), or `'auto'`
   * (identity when channels and stride allow, else conv); default `'auto'`.
   */
  residual?: ResidualMode;
  /** Side of the square per-frame grid convolution; default 3. */
  kernelSize?: number;
  /** Taps of the temporal convolution (odd); default 9. */
  temporalKernelSize?: number;
  /** Dropout rate after the temporal unit; default 0. */
  dropout?: number;
  /** BatchNorm epsilon; default 1e-5. */
  epsilon?: number;
  /** BatchNorm momentum in PyTorch's sense (weight of the new batch); default 0.1. */
  momentum?: number;
  /** Use running statistics even in training (no statistic updates); default false. */
  frozenBatchNorm?: boolean;
  /** Seed of the random initialisation (same seed, same weights on every backend); default none. */
  seed?: number;
  /**
   * How the grid, temporal and residual convolutions are computed (`'conv2d'` or `'matmul'`, see
   * {@link ConvFormulation}); `'auto'` picks the measured default of the backend active at call
   * time. Values and gradients do not depend on it beyond float32 rounding. Default `'auto'`.
   */
  convFormulation?: ConvFormulationSetting;
}

/**
 * One grid convolution block (the reference `STGCNBlock2CN`). Input `[B, M, T, H, W, Cin]`,
 * output `[B, M, T', H, W, filters]` with `T' = floor((T - 1) / stride) + 1`:
 * `spatial_conv` (k x k on each frame's H x W grid, zero padded) -> `spatial_bn` ->
 * `temporal_bn_in` -> ReLU -> `temporal_conv` (9 taps per cell, stride, padding 4/4) ->
 * `temporal_bn_out` -> dropout; plus the residual; final ReLU. Every convolution is one
 * {@link paddedConv2d} call (own padding, bias fused, formulation from `convFormulation`); in
 * inference the batch norms are folded into the convolutions (3 fused convolutions, one add, one ReLU).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { GridConvBlock } from 'ske2grid';
 * // kernelSize 3, temporalKernelSize 9, residual 'auto', dropout 0, epsilon 1e-5, momentum 0.1
 * const block = new GridConvBlock({ filters: 128, stride: 2 });
 * const y = block.apply(tf.zeros([1, 2, 32, 5, 5, 64])) as tf.Tensor; // [1, 2, 16, 5, 5, 128]
 * ```
 */
export class GridConvBlock extends Ske2GridLayer {
  /** Registered class name. */
  static className = 'Ske2GridGridConvBlock';
  readonly filters: number;
  readonly stride: number;
  readonly residual: ResidualMode;
  readonly kernelSize: number;
  readonly temporalKernelSize: number;
  readonly dropout: number;
  readonly epsilon: number;
  readonly momentum: number;
  frozenBatchNorm: boolean;
  /** The formulation setting of the convolutions (see {@link GridConvBlockArgs.convFormulation}). */
  convFormulation: ConvFormulationSetting;
  private resolvedResidual: FoldedResidual = 'none';
  private w: Record<string, LayerVariable> = {};
  private bn: Record<string, BatchNormVariables> = {};

  constructor(args: GridConvBlockArgs) {
    super(args);
    const positive = (name: string, v: unknown) => {
      if (!Number.isInteger(v) || (v as number) < 1) fail(`GridConvBlock ${name}`, 'a positive integer', v);
      return v as number;
    };
    this.filters = positive('filters', args.filters);
    this.stride = positive('stride', args.stride ?? 1);
    this.kernelSize = positive('kernelSize', args.kernelSize ?? 3);
    this.temporalKernelSize = positive('temporalKernelSize', args.temporalKernelSize ?? 9);
    if (this.kernelSize % 2 === 0 || this.temporalKernelSize % 2 === 0) {
      fail('GridConvBlock kernel sizes', 'odd numbers', [this.kernelSize, this.temporalKernelSize]);
    }
    this.residual = args.residual ?? 'auto';
    if (!['auto', 'none', 'identity', 'conv'].includes(this.residual)) {
      fail('GridConvBlock residual', `'auto', 'none', 'identity' or 'conv'`, this.residual);
    }
    this.dropout = args.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) fail('GridConvBlock dropout', 'a rate in [0, 1)', this.dropout);
    this.epsilon = args.epsilon ?? 1e-5;
    this.momentum = args.momentum ?? 0.1;
    this.frozenBatchNorm = args.frozenBatchNorm ?? false;
    this.convFormulation = checkConvFormulation('GridConvBlock convFormulation', args.convFormulation);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    const cin = shape[5];
    if (shape.length !== 6 || cin == null || shape[3] == null || shape[4] == null) {
      fail(`${this.name} input`, '[batch, persons, frames, height, width, channels]', shape);
    }
    const cout = this.filters;
    const k = this.kernelSize;
    const kt = this.temporalKernelSize;
    if (this.residual === 'identity' && (cin !== cout || this.stride !== 1)) {
      failAs(`${this.name} residual 'identity'`, 'equal channels and stride 1', `${cin}->${cout} channels, stride ${this.stride}`);
    }
    this.resolvedResidual = this.residual === 'auto' ? (cin === cout && this.stride === 1 ? 'identity' : 'conv') : this.residual;
    const dims: GridConvBlockDims = { cin, cout, kernelSize: k, temporalKernelSize: kt };
    const W = GRID_CONV_BLOCK_WEIGHTS;
    const BN = GRID_CONV_BLOCK_BATCH_NORMS;
    let draws = 0;
    const kaiming = (spec: (typeof W)[keyof typeof W], fanOut: number) => {
      const shape = spec.shape(dims);
      const v = this.addNamedWeight(spec.name, shape, 'zeros', true);
      this.assign(v, tf.randomNormal(shape, 0, Math.sqrt(2 / fanOut), 'float32', this.seedFor(draws++)));
      return v;
    };
    const zeros = (spec: (typeof W)[keyof typeof W]) => this.addNamedWeight(spec.name, spec.shape(dims), 'zeros', true);
    this.w.spatialKernel = kaiming(W.spatialKernel, cout * k * k);
    this.w.spatialBias = zeros(W.spatialBias);
    this.bn.spatial = this.addBatchNormWeights(BN.spatial, cout);
    this.bn.temporalIn = this.addBatchNormWeights(BN.temporalIn, cout);
    this.w.temporalKernel = kaiming(W.temporalKernel, cout * kt);
    this.w.temporalBias = zeros(W.temporalBias);
    this.bn.temporalOut = this.addBatchNormWeights(BN.temporalOut, cout);
    if (this.resolvedResidual === 'conv') {
      this.w.residualKernel = kaiming(W.residualKernel, cout);
      this.w.residualBias = zeros(W.residualBias);
      this.bn.residual = this.addBatchNormWeights(BN.residual, cout);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const training = isTraining(kwargs);
      return training ? this.trainingCall(x, !this.frozenBatchNorm) : this.foldedCall(x);
    });
  }

  /** One of the block's convolutions ({@link paddedConv2d} with this block's formulation). */
  private conv(
    x: tf.Tensor,
    kernel: tf.Tensor,
    opts: { strides?: [number, number]; padding?: [number, number]; bias: tf.Tensor; activation?: 'linear' | 'relu' },
  ): tf.Tensor4D {
    return paddedConv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, { ...opts, bias: opts.bias as tf.Tensor1D, formulation: this.convFormulation });
  }

  /** Training: batch statistics (or the running ones with `frozenBatchNorm`), dropout. */
  private trainingCall(x: tf.Tensor, batchStatistics: boolean): tf.Tensor {
    const [b, m, t, h, wd, cin] = x.shape;
    const bnOpts = { training: batchStatistics, epsilon: this.epsilon, momentum: this.momentum };
    const cout = this.filters;
    const p = (this.kernelSize - 1) / 2;
    const pt = (this.temporalKernelSize - 1) / 2;

    // Spatial unit: k x k convolution on every frame's grid.
    const frames = tf.reshape(x, [b * m * t, h, wd, cin]);
    let y: tf.Tensor = this.conv(frames, this.w.spatialKernel.read(), { padding: [p, p], bias: this.w.spatialBias.read() });
    y = batchNormLastAxis(y, this.bn.spatial, bnOpts);

    // Temporal unit: BN, ReLU, 9-tap convolution along time for each cell, BN, dropout.
    y = tf.reshape(y, [b * m, t, h * wd, cout]);
    y = tf.relu(batchNormLastAxis(y, this.bn.temporalIn, bnOpts));
    y = this.conv(y, this.w.temporalKernel.read(), { strides: [this.stride, 1], padding: [pt, 0], bias: this.w.temporalBias.read() });
    y = batchNormLastAxis(y, this.bn.temporalOut, bnOpts);
    if (this.dropout > 0) y = tf.dropout(y, this.dropout);
    const tOut = y.shape[1] as number;

    const seq = tf.reshape(x, [b * m, t, h * wd, cin]);
    if (this.resolvedResidual === 'identity') y = tf.add(y, seq);
    if (this.resolvedResidual === 'conv') {
      const z = this.conv(seq, this.residualKernel4d(), { strides: [this.stride, 1], bias: this.w.residualBias.read() });
      y = tf.add(y, batchNormLastAxis(z, this.bn.residual, bnOpts));
    }
    return tf.reshape(tf.relu(y), [b, m, tOut, h, wd, cout]);
  }

  /**
   * The block's convolutions with every batch norm folded in (running statistics; the caller owns
   * the tensors): spatial_bn and temporal_bn_in into the grid convolution, temporal_bn_out into the
   * temporal one, residual_bn into the residual one, with the resolved residual. The block must be built.
   */
  foldedKernels(): { residual: FoldedResidual; kernels: FoldedGridConvKernels } {
    if (!this.built) fail(`${this.name} foldedKernels`, 'a built layer (apply it to an input first)', 'an unbuilt one');
    const kernels = tf.tidy(() => {
      const bn = (v: BatchNormVariables) => batchNormAffine(v, this.epsilon);
      const spatial = foldAffineIntoKernel(
        this.w.spatialKernel.read() as tf.Tensor4D,
        this.w.spatialBias.read(),
        composeAffine(bn(this.bn.spatial), bn(this.bn.temporalIn)),
      );
      const temporal = foldAffineIntoKernel(this.w.temporalKernel.read() as tf.Tensor4D, this.w.temporalBias.read(), bn(this.bn.temporalOut));
      const kernels: FoldedGridConvKernels = {
        spatialKernel: spatial.kernel,
        spatialBias: spatial.bias,
        temporalKernel: temporal.kernel,
        temporalBias: temporal.bias,
      };
      if (this.resolvedResidual === 'conv') {
        const residual = foldAffineIntoKernel(this.residualKernel4d(), this.w.residualBias.read(), bn(this.bn.residual));
        kernels.residualKernel = residual.kernel;
        kernels.residualBias = residual.bias;
      }
      return kernels as unknown as tf.NamedTensorMap;
    }) as unknown as FoldedGridConvKernels;
    return { residual: this.resolvedResidual, kernels };
  }

  /**
   * Inference: every batch norm is affine with the running statistics, so it is folded into the
   * convolution before it ({@link foldedKernels}); then the folded forward shared with
   * `FoldedGridConvBlock` ({@link foldedGridConv}: 3 fused convolutions, one add, one ReLU).
   */
  private foldedCall(x: tf.Tensor): tf.Tensor {
    const { residual, kernels } = this.foldedKernels();
    return foldedGridConv(x, kernels, { stride: this.stride, residual, formulation: this.convFormulation });
  }

  /** The `[cin, cout]` residual kernel as a 1x1 convolution filter `[1, 1, cin, cout]`. */
  private residualKernel4d(): tf.Tensor4D {
    const [cin, cout] = this.w.residualKernel.shape as number[];
    return tf.reshape(this.w.residualKernel.read(), [1, 1, cin, cout]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = singleShape(inputShape);
    const t = s[2] == null ? null : Math.floor(((s[2] as number) - 1) / this.stride) + 1;
    return [s[0], s[1], t, s[3], s[4], this.filters];
  }

  override getConfig(): serialization.ConfigDict {
    return this.withSeed({
      ...super.getConfig(),
      filters: this.filters,
      stride: this.stride,
      residual: this.residual,
      kernelSize: this.kernelSize,
      temporalKernelSize: this.temporalKernelSize,
      dropout: this.dropout,
      epsilon: this.epsilon,
      momentum: this.momentum,
      frozenBatchNorm: this.frozenBatchNorm,
      convFormulation: this.convFormulation,
    });
  }
}
serialization.registerClass(GridConvBlock);
