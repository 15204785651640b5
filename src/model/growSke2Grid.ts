import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describe, fail, failAs } from '../errors.js';
import { GRID_INDEX_TRANSFORM_WEIGHTS, GridIndexTransform } from '../layers/GridIndexTransform.js';
import { deriveSeed } from '../ops/seeds.js';
import { buildSke2Grid, getModelConfig, layerNames, modelSeedSlots } from './buildSke2Grid.js';
import { toPlainConfig } from './config.js';

/** Options of {@link growSke2Grid}. */
export interface GrowOptions {
  /** The next grid `[H, H]`; default one cell larger per side than the model's grid. */
  gridShape?: [number, number];
  /**
   * Start the new GIT stage so that the previous grid keeps its arrangement inside the larger
   * grid (centred, new nodes in the remaining cells); default false (random, as the reference).
   */
  keepArrangement?: boolean;
  /** Freeze the earlier UPT/GIT stages; default true (the reference). */
  freezeEarlierStages?: boolean;
}

/**
 * Progressive learning (PLS): returns the next-stage model of a trained Ske2Grid model. Appends a
 * UPT + GIT pair growing the grid (5x5 -> 6x6 -> 7x7 -> 8x8, or `gridShape`), copies every weight
 * both models share by name (data normalisation, earlier stages with their permutations, every
 * convolution block, the classifier), freezes the earlier UPT/GIT stages and returns the model
 * uncompiled, ready to compile and fit.
 *
 * @example
 * ```ts
 * import type { Tensor } from '@tensorflow/tfjs-core';
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { fitSke2Grid, growSke2Grid } from 'ske2grid';
 * declare const fiveByFive: LayersModel, x: Tensor, y: Tensor; // a trained 5x5 model, its clips and one-hot labels
 * const sixBySix = growSke2Grid(fiveByFive); // stages [17] -> [17, 25], grid 6x6
 * await fitSke2Grid(sixBySix, x, y, { epochs: 16 });
 * ```
 */
export function growSke2Grid(model: LayersModel, options: GrowOptions = {}): LayersModel {
  const c = getModelConfig(model);
  const [h, w] = c.gridShape;
  const next = options.gridShape ?? [h + 1, w + 1];
  if (!Array.isArray(next) || next.length !== 2 || next[0] !== next[1] || !(next[0] > h)) {
    fail('growSke2Grid options.gridShape', `a square grid larger than ${h}x${w}`, next);
  }
  const grown = buildSke2Grid({ ...toPlainConfig(c), gridShape: [next[0], next[1]], stages: [...c.stages, h * w] });
  copySharedWeights(model, grown);

  const newStage = c.stageOutputs.length;
  if (options.keepArrangement) {
    const git = grown.getLayer(layerNames.git(newStage)) as GridIndexTransform;
    const placement = embedGrid(h, next[0]);
    tf.tidy(() => {
      const n = git.nodes;
      const target = tf.oneHot(tf.tensor1d(placement, 'int32'), n);
      const seed = deriveSeed(c.seed, 'model', modelSeedSlots.grownArrangement);
      git.variable(GRID_INDEX_TRANSFORM_WEIGHTS.scores.name).write(tf.add(tf.mul(tf.randomUniform([n, n], 0, 1, 'float32', seed), 0.1), target));
    });
    git.updatePermutation();
  }
  if (options.freezeEarlierStages !== false) {
    for (let s = 0; s < newStage; s++) {
      grown.getLayer(layerNames.upt(s)).trainable = false;
      grown.getLayer(layerNames.git(s)).trainable = false;
    }
  }
  return grown;
}

/**
 * The permutation (cell -> node) that puts the `side x side` grid, whose cells are the first
 * side*side nodes, in the centre of a `next x next` grid (offset `floor((next - side) / 2)`) and the
 * new nodes in the other cells, in row-major order; length `next * next`.
 *
 * @example
 * ```ts
 * import { embedGrid } from 'ske2grid';
 * embedGrid(2, 3); // [0, 1, 4, 2, 3, 5, 6, 7, 8]: the 2x2 grid in the top-left corner, new nodes 4..8 around it
 * ```
 */
export function embedGrid(side: number, next: number): number[] {
  const offset = Math.floor((next - side) / 2);
  const perm: number[] = [];
  let fresh = side * side;
  for (let r = 0; r < next; r++) {
    for (let col = 0; col < next; col++) {
      const inside = r >= offset && r < offset + side && col >= offset && col < offset + side;
      perm.push(inside ? (r - offset) * side + (col - offset) : fresh++);
    }
  }
  return perm;
}

/** Copies every weight of `from` into the layer and weight of the same name in `to` (shapes must match). */
function copySharedWeights(from: LayersModel, to: LayersModel): void {
  for (const layer of from.layers) {
    if (layer.weights.length === 0) continue;
    const target = to.layers.find((l) => l.name === layer.name);
    if (!target) failAs('growSke2Grid', `layer '${layer.name}' in the grown model`, 'none');
    const values = layer.getWeights();
    const shapes = target.getWeights().map((t) => t.shape);
    values.forEach((v, i) => {
      if (shapes[i] == null || shapes[i].join() !== v.shape.join()) {
        fail(`growSke2Grid: weight ${i} of '${layer.name}'`, `shape ${describe(shapes[i])}`, v.shape);
      }
    });
    target.setWeights(values);
  }
}
