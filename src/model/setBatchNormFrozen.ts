import type { LayersModel } from '@tensorflow/tfjs-layers';
import { GridConvBlock } from '../layers/GridConvBlock.js';
import { SkeletonNormalization } from '../layers/SkeletonNormalization.js';

/**
 * Freezes (or unfreezes) every batch normalisation of a Ske2Grid model: frozen, they normalise
 * with their running statistics in training too and stop updating them (useful for fine-tuning
 * with small batches; the reference's "BN in eval mode"). Returns the number of layers changed.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, setBatchNormFrozen } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 10 });
 * setBatchNormFrozen(model, true); // 11: skeleton_norm + 10 blocks now use their running statistics
 * ```
 */
export function setBatchNormFrozen(model: LayersModel, frozen: boolean): number {
  let changed = 0;
  for (const layer of model.layers) {
    if (layer instanceof GridConvBlock || layer instanceof SkeletonNormalization) {
      layer.frozenBatchNorm = frozen;
      changed++;
    }
  }
  return changed;
}
