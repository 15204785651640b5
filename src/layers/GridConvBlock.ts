import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { Ske2GridError, describe } from '../errors.js';
import { batchNormLastAxis, type BatchNormVariables } from '../ops/batchNorm.js';
import { conv2dValid, takeEveryAlongTime } from '../ops/convolution.js';
import { Ske2GridLayer, isTraining, single, singleShape, type Kwargs, type LayerArgs, type Shape } from './layerBase.js';

/** Residual branch of a {@link GridConvBlock}. */
export type ResidualMode = 'auto' | 'none' | 'identity' | 'conv';

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
}

/**
 * One grid convolution block (the reference `STGCNBlock2CN`). Input `[B, M, T, H, W, Cin]`,
 * output `[B, M, T', H, W, filters]` with `T' = floor((T - 1) / stride) + 1`:
 * `spatial_conv` (k x k on each frame's H x W grid, zero padded) -> `spatial_bn` ->
 * `temporal_bn_in` -> ReLU -> `temporal_conv` (9 taps per cell, stride, padding 4/4) ->
 * `temporal_bn_out` -> dropout; plus the residual; final ReLU.
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
  private resolvedResidual: 'none' | 'identity' | 'conv' = 'none';
  private w: Record<string, LayerVariable> = {};
  private bn: Record<string, BatchNormVariables> = {};

  constructor(args: GridConvBlockArgs) {
    super(args);
    const positive = (name: string, v: unknown) => {
      if (!Number.isInteger(v) || (v as number) < 1) throw new Ske2GridError(`GridConvBlock ${name}: expected a positive integer, got ${describe(v)}`);
      return v as number;
    };
    this.filters = positive('filters', args.filters);
    this.stride = positive('stride', args.stride ?? 1);
    this.kernelSize = positive('kernelSize', args.kernelSize ?? 3);
    this.temporalKernelSize = positive('temporalKernelSize', args.temporalKernelSize ?? 9);
    if (this.kernelSize % 2 === 0 || this.temporalKernelSize % 2 === 0) {
      throw new Ske2GridError(`GridConvBlock kernel sizes: expected odd numbers, got ${this.kernelSize} and ${this.temporalKernelSize}`);
    }
    this.residual = args.residual ?? 'auto';
    if (!['auto', 'none', 'identity', 'conv'].includes(this.residual)) {
      throw new Ske2GridError(`GridConvBlock residual: expected 'auto', 'none', 'identity' or 'conv', got ${describe(this.residual)}`);
    }
    this.dropout = args.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new Ske2GridError(`GridConvBlock dropout: expected a rate in [0, 1), got ${describe(this.dropout)}`);
    this.epsilon = args.epsilon ?? 1e-5;
    this.momentum = args.momentum ?? 0.1;
    this.frozenBatchNorm = args.frozenBatchNorm ?? false;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    const cin = shape[5];
    if (shape.length !== 6 || cin == null || shape[3] == null || shape[4] == null) {
      throw new Ske2GridError(`${this.name} input: expected [batch, persons, frames, height, width, channels], got ${describe(shape)}`);
    }
    const cout = this.filters;
    const k = this.kernelSize;
    const kt = this.temporalKernelSize;
    if (this.residual === 'identity' && (cin !== cout || this.stride !== 1)) {
      throw new Ske2GridError(`${this.name} residual: 'identity' needs equal channels and stride 1, got ${cin}->${cout}, stride ${this.stride}`);
    }
    this.resolvedResidual =
      this.residual === 'auto' ? (cin === cout && this.stride === 1 ? 'identity' : 'conv') : this.residual;
    let draws = 0;
    const kaiming = (name: string, shape: number[], fanOut: number) => {
      const v = this.addNamedWeight(name, shape, 'zeros', true);
      this.assign(v, tf.randomNormal(shape, 0, Math.sqrt(2 / fanOut), 'float32', this.seedFor(draws++)));
      return v;
    };
    this.w.spatialKernel = kaiming('spatial_conv_kernel', [k, k, cin, cout], cout * k * k);
    this.w.spatialBias = this.addNamedWeight('spatial_conv_bias', [cout], 'zeros', true);
    this.bn.spatial = this.addBatchNormWeights('spatial_bn', cout);
    this.bn.temporalIn = this.addBatchNormWeights('temporal_bn_in', cout);
    this.w.temporalKernel = kaiming('temporal_conv_kernel', [kt, 1, cout, cout], cout * kt);
    this.w.temporalBias = this.addNamedWeight('temporal_conv_bias', [cout], 'zeros', true);
    this.bn.temporalOut = this.addBatchNormWeights('temporal_bn_out', cout);
    if (this.resolvedResidual === 'conv') {
      this.w.residualKernel = kaiming('residual_conv_kernel', [cin, cout], cout);
      this.w.residualBias = this.addNamedWeight('residual_conv_bias', [cout], 'zeros', true);
      this.bn.residual = this.addBatchNormWeights('residual_bn', cout);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [b, m, t, h, wd, cin] = x.shape;
      const training = isTraining(kwargs);
      const bnOpts = { training: training && !this.frozenBatchNorm, epsilon: this.epsilon, momentum: this.momentum };
      const cout = this.filters;
      const p = (this.kernelSize - 1) / 2;
      const pt = (this.temporalKernelSize - 1) / 2;

      // Spatial unit: k x k convolution on every frame's grid.
      const frames = tf.reshape(x, [b * m * t, h, wd, cin]);
      const padded = tf.pad(frames, [[0, 0], [p, p], [p, p], [0, 0]]);
      let y: tf.Tensor = tf.add(conv2dValid(padded as tf.Tensor4D, this.w.spatialKernel.read() as tf.Tensor4D, [1, 1]), this.w.spatialBias.read());
      y = batchNormLastAxis(y, this.bn.spatial, bnOpts);

      // Temporal unit: BN, ReLU, 9-tap convolution along time for each cell, BN, dropout.
      y = tf.reshape(y, [b * m, t, h * wd, cout]);
      y = tf.relu(batchNormLastAxis(y, this.bn.temporalIn, bnOpts));
      y = tf.pad(y, [[0, 0], [pt, pt], [0, 0], [0, 0]]);
      y = tf.add(conv2dValid(y as tf.Tensor4D, this.w.temporalKernel.read() as tf.Tensor4D, [this.stride, 1]), this.w.temporalBias.read());
      y = batchNormLastAxis(y, this.bn.temporalOut, bnOpts);
      if (training && this.dropout > 0) y = tf.dropout(y, this.dropout);
      const tOut = y.shape[1] as number;

      const res = this.residualBranch(x, bnOpts);
      if (res) y = tf.add(y, res);
      return tf.reshape(tf.relu(y), [b, m, tOut, h, wd, cout]);
    });
  }

  private residualBranch(x: tf.Tensor, bnOpts: { training: boolean; epsilon: number; momentum: number }): tf.Tensor | null {
    const [b, m, t, h, wd, cin] = x.shape;
    if (this.resolvedResidual === 'none') return null;
    const seq = tf.reshape(x, [b * m, t, h * wd, cin]);
    if (this.resolvedResidual === 'identity') return seq;
    const strided = takeEveryAlongTime(seq, this.stride);
    const [n, tOut, cells] = strided.shape;
    const flat = tf.reshape(strided, [n * tOut * cells, cin]);
    const z = tf.add(tf.matMul(flat, this.w.residualKernel.read() as tf.Tensor2D), this.w.residualBias.read());
    return tf.reshape(batchNormLastAxis(z, this.bn.residual, bnOpts), [n, tOut, cells, this.filters]);
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
    });
  }
}
serialization.registerClass(GridConvBlock);
