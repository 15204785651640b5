import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { describe, fail, failAs } from '../../errors.js';
import { foldedGridConv, type FoldedGridConvKernels, type FoldedResidual } from '../../layers/foldedGridConv.js';
import { checkConvFormulation, type ConvFormulationSetting } from '../../ops/convFormulation.js';
import type { GridConvBlockArgs, GridConvBlockDims } from '../../layers/GridConvBlock.js';
import { Ske2GridLayer, single, singleShape, type Kwargs, type LayerArgs, type Shape } from '../../layers/layerBase.js';

export type { FoldedResidual };

/**
 * Arguments of {@link FoldedGridConvBlock}: the shape fields of {@link GridConvBlockArgs} (`filters`,
 * `stride` default 1, `kernelSize` default 3, `temporalKernelSize` default 9, `convFormulation`
 * default `'auto'`) and the residual branch, already decided.
 */
export interface FoldedGridConvBlockArgs
  extends LayerArgs, Pick<GridConvBlockArgs, 'filters' | 'stride' | 'kernelSize' | 'temporalKernelSize' | 'convFormulation'> {
  /** Residual branch: `'none'`, `'identity'` (needs equal channels and stride 1) or `'conv'` (1x1 strided conv); default `'none'`. */
  residual?: FoldedResidual;
}

/** Sizes that fix the shapes of a {@link FoldedGridConvBlock}'s weights: those of the block it was folded from. */
export type FoldedGridConvDims = GridConvBlockDims;

/**
 * The weight schema of a {@link FoldedGridConvBlock}, by {@link FoldedGridConvWeights} field: each
 * weight's saved name (after the layer prefix) and shape. The residual ones exist for residual `'conv'` only.
 */
export const FOLDED_GRID_CONV_WEIGHTS = Object.freeze({
  spatialKernel: { name: 'spatial_kernel', shape: (d: FoldedGridConvDims) => [d.kernelSize, d.kernelSize, d.cin, d.cout] },
  spatialBias: { name: 'spatial_bias', shape: (d: FoldedGridConvDims) => [d.cout] },
  temporalKernel: { name: 'temporal_kernel', shape: (d: FoldedGridConvDims) => [d.temporalKernelSize, 1, d.cout, d.cout] },
  temporalBias: { name: 'temporal_bias', shape: (d: FoldedGridConvDims) => [d.cout] },
  residualKernel: { name: 'residual_kernel', shape: (d: FoldedGridConvDims) => [1, 1, d.cin, d.cout] },
  residualBias: { name: 'residual_bias', shape: (d: FoldedGridConvDims) => [d.cout] },
} as const);

/** Values of a {@link FoldedGridConvBlock}'s weights (float32, tfjs layouts). */
export interface FoldedGridConvWeights {
  /** `[k, k, Cin, Cout]` grid kernel with both batch norms of the spatial unit folded in. */
  spatialKernel: Float32Array;
  /** `[Cout]`. */
  spatialBias: Float32Array;
  /** `[kt, 1, Cout, Cout]` temporal kernel with the batch norm after it folded in. */
  temporalKernel: Float32Array;
  /** `[Cout]`. */
  temporalBias: Float32Array;
  /** `[1, 1, Cin, Cout]` residual kernel with its batch norm folded in (residual `'conv'` only). */
  residualKernel?: Float32Array;
  /** `[Cout]` (residual `'conv'` only). */
  residualBias?: Float32Array;
}

/**
 * Inference-only grid convolution block: a {@link GridConvBlock} whose batch norms are folded into the
 * convolutions, with fixed (non-trainable) weights. Input `[B, M, T, H, W, Cin]`, output
 * `[B, M, T', H, W, filters]` with `T' = floor((T - 1) / stride) + 1`:
 * `relu(spatial_conv(x))` (k x k per frame, zero padded, bias and ReLU fused) ->
 * `temporal_conv` (kt taps per cell, stride, padding (kt-1)/2 on both sides) -> `+ residual` -> ReLU:
 * the same forward as a {@link GridConvBlock} in inference, every convolution one {@link paddedConv2d}
 * call with the block's `convFormulation`.
 * Weights start at zero; write them with {@link FoldedGridConvBlock.setFolded}.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { FoldedGridConvBlock } from 'ske2grid';
 * // kernelSize 3, temporalKernelSize 9, residual 'none', convFormulation 'auto'; weights zero until setFolded(...)
 * const block = new FoldedGridConvBlock({ filters: 8, stride: 2 });
 * const y = block.apply(tf.zeros([1, 2, 32, 5, 5, 3])) as tf.Tensor; // [1, 2, 16, 5, 5, 8]
 * ```
 */
export class FoldedGridConvBlock extends Ske2GridLayer {
  /** Registered class name. */
  static className = 'Ske2GridFoldedGridConvBlock';
  readonly filters: number;
  readonly stride: number;
  readonly residual: FoldedResidual;
  readonly kernelSize: number;
  readonly temporalKernelSize: number;
  /** The formulation setting of the convolutions (see {@link FoldedGridConvBlockArgs.convFormulation}). */
  readonly convFormulation: ConvFormulationSetting;
  private inChannels = 0;
  private w: Record<string, LayerVariable> = {};

  constructor(args: FoldedGridConvBlockArgs) {
    super(args);
    const positive = (name: string, v: unknown) => {
      if (!Number.isInteger(v) || (v as number) < 1) fail(`FoldedGridConvBlock ${name}`, 'a positive integer', v);
      return v as number;
    };
    this.filters = positive('filters', args.filters);
    this.stride = positive('stride', args.stride ?? 1);
    this.kernelSize = positive('kernelSize', args.kernelSize ?? 3);
    this.temporalKernelSize = positive('temporalKernelSize', args.temporalKernelSize ?? 9);
    if (this.kernelSize % 2 === 0 || this.temporalKernelSize % 2 === 0) {
      fail('FoldedGridConvBlock kernel sizes', 'odd numbers', [this.kernelSize, this.temporalKernelSize]);
    }
    this.residual = args.residual ?? 'none';
    if (!['none', 'identity', 'conv'].includes(this.residual)) fail('FoldedGridConvBlock residual', "'none', 'identity' or 'conv'", this.residual);
    this.convFormulation = checkConvFormulation('FoldedGridConvBlock convFormulation', args.convFormulation);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    const cin = shape[5];
    if (shape.length !== 6 || cin == null || shape[3] == null || shape[4] == null) {
      fail(`${this.name} input`, '[batch, persons, frames, height, width, channels] with known height, width and channels', shape);
    }
    if (this.residual === 'identity' && (cin !== this.filters || this.stride !== 1)) {
      failAs(`${this.name} residual 'identity'`, 'equal channels and stride 1', `${cin}->${this.filters} channels, stride ${this.stride}`);
    }
    this.inChannels = cin;
    for (const [field, shape] of Object.entries(this.weightShapes())) {
      this.w[field] = this.addNamedWeight(FOLDED_GRID_CONV_WEIGHTS[field as keyof FoldedGridConvWeights].name, shape, 'zeros', false);
    }
    this.built = true;
  }

  /** Shapes of the weights by {@link FoldedGridConvWeights} field (after build), from {@link FOLDED_GRID_CONV_WEIGHTS}. */
  private weightShapes(): Record<string, number[]> {
    const dims: FoldedGridConvDims = { cin: this.inChannels, cout: this.filters, kernelSize: this.kernelSize, temporalKernelSize: this.temporalKernelSize };
    const fields = Object.keys(FOLDED_GRID_CONV_WEIGHTS) as (keyof FoldedGridConvWeights)[];
    const used = this.residual === 'conv' ? fields : fields.filter((f) => f !== 'residualKernel' && f !== 'residualBias');
    return Object.fromEntries(used.map((f) => [f, FOLDED_GRID_CONV_WEIGHTS[f].shape(dims)]));
  }

  /** Writes folded weight values (each checked for length and finiteness). The layer must be built. */
  setFolded(values: FoldedGridConvWeights): void {
    if (!this.built) failAs(this.name, 'a built layer (apply it to an input first)', 'an unbuilt one');
    const shapes = this.weightShapes();
    for (const [name, shape] of Object.entries(shapes)) {
      const data = values?.[name as keyof FoldedGridConvWeights];
      const size = shape.reduce((a, d) => a * d, 1);
      if (!(data instanceof Float32Array) || data.length !== size) {
        fail(
          `${this.name} setFolded ${name}`,
          `a Float32Array of ${size} values (${describe(shape)})`,
          data instanceof Float32Array ? `${data.length} values` : data,
        );
      }
      const bad = data.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) fail(`${this.name} setFolded ${name}[${bad}]`, 'a finite number', data[bad]);
    }
    for (const [name, shape] of Object.entries(shapes)) {
      this.assign(this.w[name], tf.tensor(values[name as keyof FoldedGridConvWeights]!, shape));
    }
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const kernels = Object.fromEntries(Object.entries(this.w).map(([name, v]) => [name, v.read()])) as unknown as FoldedGridConvKernels;
    return foldedGridConv(single(inputs), kernels, { stride: this.stride, residual: this.residual, formulation: this.convFormulation });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = singleShape(inputShape);
    const t = s[2] == null ? null : Math.floor(((s[2] as number) - 1) / this.stride) + 1;
    return [s[0], s[1], t, s[3], s[4], this.filters];
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      stride: this.stride,
      residual: this.residual,
      kernelSize: this.kernelSize,
      temporalKernelSize: this.temporalKernelSize,
      convFormulation: this.convFormulation,
    };
  }
}
serialization.registerClass(FoldedGridConvBlock);
