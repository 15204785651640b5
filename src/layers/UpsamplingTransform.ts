import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { fail, failAs } from '../errors.js';
import { mixJoints } from '../ops/jointMixing.js';
import { Ske2GridLayer, single, singleShape, type Kwargs, type LayerArgs, type Shape } from './layerBase.js';

/** The weight schema of an {@link UpsamplingTransform}: the learnable matrix `matrix` `[R, J]` (out nodes x input joints). */
export const UPSAMPLING_TRANSFORM_WEIGHTS = Object.freeze({
  matrix: { name: 'matrix', shape: (d: { outNodes: number; joints: number }) => [d.outNodes, d.joints] },
} as const);

/** Arguments of {@link UpsamplingTransform}. */
export interface UpsamplingTransformArgs extends LayerArgs {
  /** Number of output nodes R (>= the input joints J). Required. */
  outNodes: number;
  /**
   * Fixed `[J, J]` matrix multiplied on the right of the learnable matrix (the skeleton adjacency
   * prior of the first stage); default `null` (no prior).
   */
  prior?: number[][] | null;
  /** Seed of the random initialisation (same seed, same weights on every backend); default none. */
  seed?: number;
}

/**
 * Up-sampling transform (UPT): a learnable `[R, J]` matrix `U` mixes the J joints of every frame
 * into R nodes, `out = (U @ prior) x` along the joint axis. `[B, M, T, J, C]` -> `[B, M, T, R, C]`.
 * Initialised as the reference does: the first J rows are the identity, each extra row a
 * softmax of uniform noise (a convex mix of all joints).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { COCO17, UpsamplingTransform, adjacencyPrior } from 'ske2grid';
 * const upt = new UpsamplingTransform({ outNodes: 25, prior: adjacencyPrior(COCO17), seed: 1 });
 * const nodes = upt.apply(tf.zeros([1, 2, 32, 17, 3])) as tf.Tensor; // [1, 2, 32, 25, 3]
 * const u = upt.effectiveMatrix(); // U @ prior, [25, 17]
 * ```
 */
export class UpsamplingTransform extends Ske2GridLayer {
  /** Registered class name. */
  static className = 'Ske2GridUpsamplingTransform';
  readonly outNodes: number;
  readonly prior: number[][] | null;
  private matrix?: LayerVariable;

  constructor(args: UpsamplingTransformArgs) {
    super(args);
    if (!Number.isInteger(args.outNodes) || args.outNodes < 1) {
      fail('UpsamplingTransform outNodes', 'a positive integer', args.outNodes);
    }
    this.outNodes = args.outNodes;
    this.prior = args.prior ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    const joints = shape[3];
    if (shape.length !== 5 || joints == null) {
      fail(`${this.name} input`, '[batch, persons, frames, joints, channels]', shape);
    }
    if (this.outNodes < joints) {
      fail(`${this.name} outNodes`, `>= the ${joints} input nodes`, this.outNodes);
    }
    if (this.prior && (this.prior.length !== joints || this.prior.some((row) => row.length !== joints))) {
      failAs(`${this.name} prior`, `a ${joints}x${joints} matrix`, `${this.prior.length} rows`);
    }
    const { matrix } = UPSAMPLING_TRANSFORM_WEIGHTS;
    this.matrix = this.addNamedWeight(matrix.name, matrix.shape({ outNodes: this.outNodes, joints }), 'zeros', true);
    this.assign(this.matrix, upsamplingInit(this.outNodes, joints, this.seedFor(0)));
    this.built = true;
  }

  /** The matrix applied to the joints, `U @ prior` (`[R, J]`). */
  effectiveMatrix(): tf.Tensor2D {
    return tf.tidy(() => {
      const u = this.matrix!.read() as tf.Tensor2D;
      return this.prior ? tf.matMul(u, tf.tensor2d(this.prior)) : tf.clone(u);
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => mixJoints(single(inputs), this.effectiveMatrix()));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = singleShape(inputShape);
    return [s[0], s[1], s[2], this.outNodes, s[4]];
  }

  override getConfig(): serialization.ConfigDict {
    return this.withSeed({ ...super.getConfig(), outNodes: this.outNodes, prior: this.prior });
  }
}
serialization.registerClass(UpsamplingTransform);

/** `[I_J; softmax(U[0,1))]`, shape `[R, J]` (seeded when `seed` is given). */
export function upsamplingInit(outNodes: number, joints: number, seed?: number): tf.Tensor2D {
  return tf.tidy(() => {
    const eye = tf.eye(joints);
    if (outNodes === joints) return eye as tf.Tensor2D;
    const extra = tf.softmax(tf.randomUniform([outNodes - joints, joints], 0, 1, 'float32', seed));
    return tf.concat([eye, extra], 0) as tf.Tensor2D;
  });
}
