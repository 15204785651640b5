import * as tfl from '@tensorflow/tfjs-layers';
import { GridIndexTransform, type PermutationUpdateOptions } from '../layers/GridIndexTransform.js';

/** The GIT layers of a model whose scores can change (trainable ones). */
function trainableIndexTransforms(model: tfl.LayersModel): GridIndexTransform[] {
  return model.layers.filter((l): l is GridIndexTransform => l instanceof GridIndexTransform && l.trainable);
}

/**
 * Recomputes the permutation of every trainable GIT layer from its current scores (one
 * synchronous read per layer). Call it after each optimizer step of a custom training loop.
 * Returns the new permutations.
 */
export function syncPermutations(model: tfl.LayersModel, options: PermutationUpdateOptions = {}): number[][] {
  return trainableIndexTransforms(model).map((layer) => layer.updatePermutation(options));
}

/** As {@link syncPermutations}, with asynchronous reads (no stall on WebGL / WebGPU). */
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
 * await model.fit(x, y, { epochs: 10, callbacks: [new PermutationSync()] });
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
