import * as tfl from '@tensorflow/tfjs-layers';
import { GridIndexTransform, type PermutationUpdateOptions } from '../layers/GridIndexTransform.js';

/** The GIT layers of a model whose scores can change (trainable ones). */
function trainableIndexTransforms(model: tfl.LayersModel): GridIndexTransform[] {
  return model.layers.filter((l): l is GridIndexTransform => l instanceof GridIndexTransform && l.trainable);
}

/**
 * Recomputes the permutation of every trainable GIT layer from its current scores (one
 * synchronous read per layer). Call it after each optimizer step of a custom training loop.
 * Returns the new permutations, one per trainable GIT layer in model order (stage s: `[H_s*W_s]`).
 *
 * @example
 * ```ts
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { syncPermutations } from 'ske2grid';
 * declare const model: LayersModel; // trained in a custom loop
 * const [stage0] = syncPermutations(model); // after each optimizer.minimize(...): e.g. 25 node indices for 5x5
 * ```
 */
export function syncPermutations(model: tfl.LayersModel, options: PermutationUpdateOptions = {}): number[][] {
  return trainableIndexTransforms(model).map((layer) => layer.updatePermutation(options));
}

/**
 * As {@link syncPermutations}, with asynchronous reads (no stall on WebGL / WebGPU).
 *
 * @example
 * ```ts
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { syncPermutationsAsync } from 'ske2grid';
 * declare const model: LayersModel; // trained in a custom loop on WebGL / WebGPU
 * const permutations = await syncPermutationsAsync(model); // one number[] per trainable GIT layer
 * ```
 */
export async function syncPermutationsAsync(model: tfl.LayersModel, options: PermutationUpdateOptions = {}): Promise<number[][]> {
  return Promise.all(trainableIndexTransforms(model).map((layer) => layer.updatePermutationAsync(options)));
}

/**
 * `fit` / `fitDataset` callback that keeps each GIT permutation equal to the greedy assignment
 * of its current scores: after every batch (awaited by tfjs) it re-runs the assignment, so the
 * next forward pass, validation and the final model all use the permutation of the latest
 * scores, as the reference (which re-assigns at every forward pass) does. With `gumbelNoise`
 * layers, training updates rank by score + Gumbel noise and the final update is noise-free.
 *
 * @example
 * ```ts
 * import type * as tf from '@tensorflow/tfjs-core';
 * import { PermutationSync, SgdWithWeightDecay, buildSke2Grid, logitsCrossEntropy } from 'ske2grid';
 * declare const x: tf.Tensor, y: tf.Tensor; // clips [N, 2, 100, 17, 3], one-hot labels [N, 60]
 * const model = buildSke2Grid();
 * model.compile({ optimizer: new SgdWithWeightDecay(), loss: logitsCrossEntropy });
 * await model.fit(x, y, { epochs: 10, callbacks: [new PermutationSync()] }); // fitSke2Grid adds it for you
 * ```
 */
export class PermutationSync extends tfl.Callback {
  constructor(private readonly options: Omit<PermutationUpdateOptions, 'noise'> = {}) {
    super();
  }

  override async onBatchEnd(): Promise<void> {
    await syncPermutationsAsync(this.model, { ...this.options, noise: true });
  }

  override async onTrainEnd(): Promise<void> {
    await syncPermutationsAsync(this.model, { ...this.options, noise: false });
  }
}
