import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { fail } from '../errors.js';
import { batchNormLastAxis, type BatchNormVariables } from '../ops/batchNorm.js';
import { batchNormAffine, type ChannelAffine } from '../ops/foldBatchNorm.js';
import { Ske2GridLayer, isTraining, single, singleShape, type Kwargs, type LayerArgs, type Shape } from './layerBase.js';

/** Prefix of the {@link SkeletonNormalization}'s batch norm weights ({@link batchNormWeightName}), each `[V*C]`: `'bn'`. */
export const SKELETON_NORMALIZATION_BATCH_NORM = 'bn';

/** Arguments of {@link SkeletonNormalization}. */
export interface SkeletonNormalizationArgs extends LayerArgs {
  /** Added to the variance; default 1e-5 (PyTorch). */
  epsilon?: number;
  /** Weight of the new batch in the running statistics (PyTorch meaning); default 0.1. */
  momentum?: number;
  /** Use running statistics even in training (no statistic updates); default false. */
  frozenBatchNorm?: boolean;
}

/**
 * Input normalisation of the reference (`data_bn`): a batch normalisation with one channel per
 * (joint, coordinate), statistics over batch, persons and frames. `[B, M, T, V, C]` in and out;
 * weights `gamma`, `beta`, `moving_mean`, `moving_variance`, each `[V*C]` (index `v*C + c`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { SkeletonNormalization } from 'ske2grid';
 * const norm = new SkeletonNormalization({ name: 'skeleton_norm' }); // epsilon 1e-5, momentum 0.1
 * const y = norm.apply(tf.randomNormal([4, 2, 32, 17, 3])) as tf.Tensor; // [4, 2, 32, 17, 3]
 * ```
 */
export class SkeletonNormalization extends Ske2GridLayer {
  /** Registered class name. */
  static className = 'Ske2GridSkeletonNormalization';
  readonly epsilon: number;
  readonly momentum: number;
  frozenBatchNorm: boolean;
  private bn?: BatchNormVariables;

  constructor(args: SkeletonNormalizationArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
    this.momentum = args.momentum ?? 0.1;
    this.frozenBatchNorm = args.frozenBatchNorm ?? false;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    checkSkeletonShape(this.name, shape);
    const channels = (shape[3] as number) * (shape[4] as number);
    this.bn = this.addBatchNormWeights(SKELETON_NORMALIZATION_BATCH_NORM, channels);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [b, m, t, v, c] = x.shape;
      const flat = tf.reshape(x, [b * m * t, v * c]);
      const y = batchNormLastAxis(flat, this.bn!, {
        training: isTraining(kwargs) && !this.frozenBatchNorm,
        epsilon: this.epsilon,
        momentum: this.momentum,
      });
      return tf.reshape(y, x.shape);
    });
  }

  /** The inference-mode normalisation as a per-channel affine map, `scale` and `shift` `[V*C]` (index `v*C + c`; the caller owns them). */
  inferenceAffine(): ChannelAffine {
    if (!this.bn) fail(`${this.name} inferenceAffine`, 'a built layer (apply it to an input first)', 'an unbuilt one');
    return batchNormAffine(this.bn, this.epsilon);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape);
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon, momentum: this.momentum, frozenBatchNorm: this.frozenBatchNorm };
  }
}
serialization.registerClass(SkeletonNormalization);

/** Checks a `[B, M, T, V, C]` shape with known V and C. */
function checkSkeletonShape(layer: string, shape: Shape): void {
  if (shape.length !== 5 || shape[3] == null || shape[4] == null) {
    fail(`${layer} input`, 'shape [batch, persons, frames, joints, channels] with known joints and channels', shape);
  }
}
