import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { GridIndexTransform } from '../layers/GridIndexTransform.js';
import { UpsamplingTransform } from '../layers/UpsamplingTransform.js';

/**
 * The composite joint -> cell matrix after each UPT+GIT stage: entry s is `[S_s, V]`, the product
 * `P_s U_s ... P_0 U_0 G` (rows = grid cells of stage s in row-major order). The last entry is the
 * map the network sees; earlier ones are the smaller grids of progressive learning.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, stageMixingMatrices } from 'ske2grid';
 * const model = buildSke2Grid({ gridShape: [6, 6], stages: [17, 25] });
 * const [fiveByFive, sixBySix] = stageMixingMatrices(model); // [25][17] and [36][17]
 * ```
 */
export function stageMixingMatrices(model: LayersModel): number[][][] {
  const tensors = stageMixingTensors(model);
  const out = tensors.map((m) => m.arraySync());
  tf.dispose(tensors);
  return out;
}

/** As {@link stageMixingMatrices}, as `[S_s, V]` float32 tensors the caller owns (no device read). */
export function stageMixingTensors(model: LayersModel): tf.Tensor2D[] {
  return tf.tidy(() => {
    const out: tf.Tensor2D[] = [];
    let m: tf.Tensor2D | null = null;
    for (const layer of model.layers) {
      if (layer instanceof UpsamplingTransform) {
        const u = layer.effectiveMatrix();
        m = (m ? tf.matMul(u, m) : u) as tf.Tensor2D;
      } else if (layer instanceof GridIndexTransform && m) {
        m = tf.matMul(layer.permutationMatrix(), m) as tf.Tensor2D;
        out.push(m);
      }
    }
    return out;
  });
}
