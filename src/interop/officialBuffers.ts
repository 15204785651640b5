import type { LayersModel } from '@tensorflow/tfjs-layers';
import { getModelConfig } from '../model/buildSke2Grid.js';
import { officialWeightMap, type StateDictTensor } from './officialWeights.js';

/**
 * The COCO `inward` bone list of the official graph (`utils/graph.py`, 0-based), which builds its
 * `A` buffer; it differs from the limb list the adjacency prior uses (the layout's `edges`).
 */
const COCO_INWARD: readonly (readonly [number, number])[] = [
  [15, 13], [13, 11], [16, 14], [14, 12], [11, 5], [12, 6], [9, 7], [7, 5],
  [10, 8], [8, 6], [5, 0], [6, 0], [1, 0], [3, 1], [2, 0], [4, 2],
]; // prettier-ignore

/**
 * The buffers of the official model that hold no learned value and that `exportOfficialStateDict`
 * leaves out: `backbone.A` (`[3, V, V]`: identity, and the column-normalised inward and outward
 * bone graphs, as the official `Graph(mode='spatial')` builds it; only its shape is used by the
 * model) and every BatchNorm's `num_batches_tracked` (0-d int64, written as `batches`, default 0;
 * PyTorch's BatchNorm with momentum 0.1 does not read it). With them a state dict loads into the
 * official model with `strict=True`.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, exportOfficialStateDict, officialBuffers, writeTorchCheckpoint } from 'ske2grid';
 * const model = buildSke2Grid();
 * const bytes = writeTorchCheckpoint({ ...exportOfficialStateDict(model), ...officialBuffers(model) }); // loads strictly in PyTorch
 * ```
 */
export function officialBuffers(model: LayersModel, batches = 0): Record<string, StateDictTensor & { dtype: 'float32' | 'int64' }> {
  const layout = getModelConfig(model).layout;
  const v = layout.joints.length;
  const inward = layout.name === 'coco' && v === 17 ? COCO_INWARD : layout.edges;
  const a = new Float32Array(3 * v * v);
  for (let i = 0; i < v; i++) a[i * v + i] = 1;
  const directed = (k: number, edges: readonly (readonly [number, number])[]) => {
    const sums = new Float64Array(v);
    for (const [i] of edges) sums[i] += 1; // edge2mat sets A[j][i]; column i sums
    for (const [i, j] of edges) a[k * v * v + j * v + i] = 1 / sums[i];
  };
  directed(1, inward);
  directed(
    2,
    inward.map(([i, j]) => [j, i] as const),
  );
  const out: Record<string, StateDictTensor & { dtype: 'float32' | 'int64' }> = { 'backbone.A': { shape: [3, v, v], data: a, dtype: 'float32' } };
  for (const m of officialWeightMap(model)) {
    if (m.key.endsWith('.running_mean')) out[m.key.replace(/running_mean$/, 'num_batches_tracked')] = { shape: [], data: [batches], dtype: 'int64' };
  }
  return out;
}
