import type { LayersModel } from '@tensorflow/tfjs-layers';
import { getModelConfig } from '../model/buildSke2Grid.js';
import type { WritableTorchTensor } from '../torch/writeTorchCheckpoint.js';
import { exportOfficialStateDict, officialWeightMap, type StateDictTensor } from './officialWeights.js';

/**
 * The COCO `inward` bone list of the official graph (`utils/graph.py`, 0-based), which builds its
 * `A` buffer; it differs from the limb list the adjacency prior uses (the layout's `edges`).
 */
const COCO_INWARD: readonly (readonly [number, number])[] = [
  [15, 13], [13, 11], [16, 14], [14, 12], [11, 5], [12, 6], [9, 7], [7, 5],
  [10, 8], [8, 6], [5, 0], [6, 0], [1, 0], [3, 1], [2, 0], [4, 2],
]; // prettier-ignore

/**
 * The complete state dict of the official model for a ske2grid model, with PyTorch dtypes, ready for
 * `writeTorchCheckpoint`: the learned tensors of {@link exportOfficialStateDict} (float32), each
 * stage's `index_sel` as int64 (as the official code keeps it), and the buffers that hold nothing
 * learned: `backbone.A` (`[3, V, V]`: identity and the column-normalised inward and outward bone
 * graphs, as the official `Graph(mode='spatial')` builds it; the model only uses its shape) and every
 * BatchNorm's `num_batches_tracked` (0-d int64, `batches`, default 0; PyTorch's BatchNorm with
 * momentum 0.1 does not read it). It loads into the official model with `strict=True`.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, officialTorchStateDict, writeTorchCheckpoint } from 'ske2grid';
 * const bytes = writeTorchCheckpoint(officialTorchStateDict(buildSke2Grid())); // 215 tensors for the 5x5 model
 * ```
 */
export function officialTorchStateDict(model: LayersModel, batches = 0): Record<string, WritableTorchTensor> {
  const out: Record<string, WritableTorchTensor> = {};
  for (const [key, t] of Object.entries(exportOfficialStateDict(model)))
    out[key] = key.endsWith('.index_sel') ? { ...t, dtype: 'int64' } : { ...t, dtype: 'float32' };
  return { ...out, ...officialBuffers(model, batches) };
}

/** `backbone.A` and every `num_batches_tracked` of the official model (see {@link officialTorchStateDict}). */
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
