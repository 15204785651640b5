import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { fail } from '../errors.js';
import { greedyAssignment, gumbelNoise, isPermutation } from '../ops/greedyAssignment.js';
import { jointOuterProductSum, mixJoints } from '../ops/jointMixing.js';
import { Ske2GridLayer, isTraining, single, singleShape, type Kwargs, type LayerArgs, type Shape } from './layerBase.js';

/**
 * The weight schema of a {@link GridIndexTransform} with n nodes: the learnable `scores` `[n, n]` and
 * the non-trainable `permutation` `[n]` (grid cell r takes node `permutation[r]`).
 */
export const GRID_INDEX_TRANSFORM_WEIGHTS = Object.freeze({
  scores: { name: 'scores', shape: (d: { nodes: number }) => [d.nodes, d.nodes] },
  permutation: { name: 'permutation', shape: (d: { nodes: number }) => [d.nodes] },
} as const);

/** Arguments of {@link GridIndexTransform}. */
export interface GridIndexTransformArgs extends LayerArgs {
  /** Number of nodes n (= grid cells of this stage). Required. */
  nodes: number;
  /** Rank columns by `score + Gumbel noise` when the permutation is updated for training; default false. */
  gumbelNoise?: boolean;
  /** Seed of the random initialisation (same seed, same weights on every backend); default none. */
  seed?: number;
}

/** Options of {@link GridIndexTransform.updatePermutation}. */
export interface PermutationUpdateOptions {
  /** Add Gumbel noise to the ranking (only if the layer has `gumbelNoise`); default false. */
  noise?: boolean;
  /** Uniform random source for the noise; default `Math.random`. */
  random?: () => number;
}

/**
 * Graph-node index transform (GIT): places n nodes into n grid cells with a hard permutation
 * chosen greedily from a learnable score matrix `scores` `[n, n]` (init U[0,1)).
 * `[B, M, T, n, C]` -> `[B, M, T, n, C]` with `out[..., r, :] = in[..., permutation[r], :]`.
 *
 * The permutation lives in the non-trainable weight `permutation` (`[n]`, saved with the model),
 * so `call()` is a plain gather and never reads the device. In training, a straight-through
 * estimator passes `dL/dscores = dL/dP` (P the permutation matrix) to the scores. The
 * permutation is recomputed from the scores on the host by {@link updatePermutation} (or
 * the async variant), which the `PermutationSync` callback runs after every optimizer step of
 * `fit` (and `syncPermutations` in a custom loop), so every forward pass uses the assignment of
 * the current scores, as in the reference, which re-runs the assignment at every forward pass.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { GridIndexTransform } from 'ske2grid';
 * const git = new GridIndexTransform({ nodes: 25, seed: 1 }); // gumbelNoise false
 * const cells = git.apply(tf.zeros([1, 2, 32, 25, 3])) as tf.Tensor; // [1, 2, 32, 25, 3]
 * const p = git.getPermutation(); // cell r holds node p[r]; a permutation of 0..24
 * ```
 */
export class GridIndexTransform extends Ske2GridLayer {
  /** Registered class name. */
  static className = 'Ske2GridGridIndexTransform';
  readonly nodes: number;
  readonly gumbelNoise: boolean;
  private scores?: LayerVariable;
  private permutation?: LayerVariable;

  constructor(args: GridIndexTransformArgs) {
    super(args);
    if (!Number.isInteger(args.nodes) || args.nodes < 1) {
      fail('GridIndexTransform nodes', 'a positive integer', args.nodes);
    }
    this.nodes = args.nodes;
    this.gumbelNoise = args.gumbelNoise ?? false;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    if (shape.length !== 5 || shape[3] !== this.nodes) {
      fail(`${this.name} input`, `[batch, persons, frames, ${this.nodes}, channels]`, shape);
    }
    const n = this.nodes;
    const { scores, permutation } = GRID_INDEX_TRANSFORM_WEIGHTS;
    this.scores = this.addNamedWeight(scores.name, scores.shape({ nodes: n }), 'zeros', true);
    this.assign(this.scores, tf.randomUniform([n, n], 0, 1, 'float32', this.seedFor(0)));
    this.permutation = this.addNamedWeight(permutation.name, permutation.shape({ nodes: n }), 'zeros', false);
    this.built = true;
    this.updatePermutation();
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const perm = tf.cast(this.permutation!.read(), 'int32') as tf.Tensor1D;
      if (!isTraining(kwargs)) return tf.gather(x, perm, 3);
      return straightThroughPermute(x, this.scores!.read() as tf.Tensor2D, perm);
    });
  }

  /** Recomputes the permutation from the current scores (one synchronous device read); returns it. */
  updatePermutation(options: PermutationUpdateOptions = {}): number[] {
    return this.assignFromScores(this.scores!.read().dataSync() as Float32Array, options);
  }

  /** As {@link updatePermutation}, reading the scores asynchronously (no stall on GPU backends). */
  async updatePermutationAsync(options: PermutationUpdateOptions = {}): Promise<number[]> {
    return this.assignFromScores((await this.scores!.read().data()) as Float32Array, options);
  }

  /** The permutation in use: grid cell r takes node `p[r]`. */
  getPermutation(): number[] {
    return Array.from(this.permutation!.read().dataSync(), Math.round);
  }

  /** Sets the permutation directly (checked to be a bijection of 0..n-1). */
  setPermutation(p: readonly number[]): void {
    if (!isPermutation(p, this.nodes)) {
      fail(`${this.name} permutation`, `a permutation of 0..${this.nodes - 1}`, p);
    }
    this.writePermutation(p);
  }

  /** The hard `[n, n]` permutation matrix (`P[r, permutation[r]] = 1`). */
  permutationMatrix(): tf.Tensor2D {
    return tf.tidy(() => tf.cast(tf.oneHot(tf.cast(this.permutation!.read(), 'int32') as tf.Tensor1D, this.nodes), 'float32') as tf.Tensor2D);
  }

  private assignFromScores(scores: Float32Array, options: PermutationUpdateOptions): number[] {
    const n = this.nodes;
    const noise = this.gumbelNoise && options.noise ? gumbelNoise(n * n, options.random) : undefined;
    const p = greedyAssignment(scores, n, noise);
    this.writePermutation(p);
    return p;
  }

  private writePermutation(p: readonly number[]): void {
    this.assign(this.permutation!, tf.tensor1d(p as number[], 'float32'));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape);
  }

  override getConfig(): serialization.ConfigDict {
    return this.withSeed({ ...super.getConfig(), nodes: this.nodes, gumbelNoise: this.gumbelNoise });
  }
}
serialization.registerClass(GridIndexTransform);

/**
 * Applies the permutation `perm` along the joint axis (value: a gather) with the
 * straight-through gradient of the reference: `dL/dx = P^T dL/dy` and `dL/dscores = dL/dP`.
 */
function straightThroughPermute(x: tf.Tensor, scores: tf.Tensor2D, perm: tf.Tensor1D): tf.Tensor {
  const n = scores.shape[0];
  const forward = (xIn: tf.Tensor, _scores: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xIn, perm]);
    const value = tf.gather(xIn, perm, 3);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xSaved, permSaved] = saved;
      const p = tf.cast(tf.oneHot(permSaved as tf.Tensor1D, n), 'float32') as tf.Tensor2D;
      const dx = mixJoints(dy, tf.transpose(p));
      const dScores = jointOuterProductSum(dy, xSaved);
      return [dx, dScores];
    };
    return { value, gradFunc };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, scores);
}
