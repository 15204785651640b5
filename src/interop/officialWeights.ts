import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable, LayersModel } from '@tensorflow/tfjs-layers';
import { describe, fail, failAs } from '../errors.js';
import { GRID_CONV_BLOCK_BATCH_NORMS, GRID_CONV_BLOCK_WEIGHTS, GridConvBlock } from '../layers/GridConvBlock.js';
import { GRID_INDEX_TRANSFORM_WEIGHTS, GridIndexTransform } from '../layers/GridIndexTransform.js';
import { batchNormWeightName } from '../layers/layerBase.js';
import { SKELETON_NORMALIZATION_BATCH_NORM, SkeletonNormalization } from '../layers/SkeletonNormalization.js';
import { UPSAMPLING_TRANSFORM_WEIGHTS, UpsamplingTransform } from '../layers/UpsamplingTransform.js';
import { classifierWeight, layerNames } from '../model/buildSke2Grid.js';
import type { BatchNormVariables } from '../ops/batchNorm.js';
import { stateDictOf, type OfficialCheckpoint } from './checkpointStateDict.js';
import { greedyAssignment } from '../ops/greedyAssignment.js';

/** One tensor of a PyTorch state dict: its PyTorch shape and row-major values. */
export interface StateDictTensor {
  shape: number[];
  data: ArrayLike<number>;
}

/** A PyTorch state dict as plain data: parameter name -> tensor. */
export type StateDict = Record<string, StateDictTensor> | Map<string, StateDictTensor>;

/** Options of {@link loadOfficialWeights}. */
export interface LoadOfficialWeightsOptions {
  /** Compare each stage's recomputed permutation with the checkpoint's `index_sel`; default true. */
  checkPermutation?: boolean;
  /** Reject keys the model has no place for (other than the ignored ones); default true. */
  strict?: boolean;
}

/** What {@link loadOfficialWeights} did. */
export interface LoadOfficialWeightsReport {
  /** PyTorch names written into the model. */
  loaded: string[];
  /** PyTorch names present but deliberately unused (`backbone.A`, `num_batches_tracked`, `index_sel`). */
  ignored: string[];
  /** The permutation of each GIT stage after loading (grid cell r takes node `p[r]`). */
  permutations: number[][];
}

/** How one model variable maps to one official tensor. */
export interface OfficialWeightMapping {
  key: string;
  variable: LayerVariable;
  /** Permutation applied to the PyTorch tensor (after `reshapeTorch`) to get the tfjs layout. */
  perm?: number[];
  /** PyTorch shape is reshaped to this before `perm` (e.g. drop trailing 1x1 kernel dims). */
  reshapeTorch?: (shape: number[]) => number[];
}

/** PyTorch `BatchNorm` parameter suffix -> batch norm weight of a layer. */
const BN_SUFFIXES: [string, keyof BatchNormVariables][] = [
  ['weight', 'gamma'],
  ['bias', 'beta'],
  ['running_mean', 'movingMean'],
  ['running_var', 'movingVariance'],
];

/**
 * The checkpoint remapper: every official parameter name of `model` and the variable it maps to.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, officialWeightMap } from 'ske2grid';
 * const mappings = officialWeightMap(buildSke2Grid()); // one entry per official tensor
 * mappings.map((m) => m.key); // ['backbone.data_bn.weight', ..., 'cls_head.fc.weight', 'cls_head.fc.bias']
 * ```
 */
export function officialWeightMap(model: LayersModel): OfficialWeightMapping[] {
  const out: OfficialWeightMapping[] = [];
  const bn = (torchPrefix: string, layer: { variable(n: string): LayerVariable }, prefix: string) => {
    for (const [t, k] of BN_SUFFIXES) out.push({ key: `${torchPrefix}.${t}`, variable: layer.variable(batchNormWeightName(prefix, k)) });
  };
  const drop = (shape: number[]) => shape.slice(0, 2);
  for (const layer of model.layers) {
    if (layer instanceof SkeletonNormalization) {
      bn('backbone.data_bn', layer, SKELETON_NORMALIZATION_BATCH_NORM);
    } else if (layer instanceof UpsamplingTransform) {
      out.push({ key: `backbone.sampling_stages.${layerIndex(layer.name)}`, variable: layer.variable(UPSAMPLING_TRANSFORM_WEIGHTS.matrix.name) });
    } else if (layer instanceof GridIndexTransform) {
      out.push({ key: `backbone.SGT_stages.${layerIndex(layer.name)}.sgt_trans_mat`, variable: layer.variable(GRID_INDEX_TRANSFORM_WEIGHTS.scores.name) });
    } else if (layer instanceof GridConvBlock) {
      const b = `backbone.st_gcn_networks.${layerIndex(layer.name)}`;
      const W = GRID_CONV_BLOCK_WEIGHTS;
      const BN = GRID_CONV_BLOCK_BATCH_NORMS;
      const conv = [2, 3, 1, 0];
      out.push({ key: `${b}.gcn2cn.conv.weight`, variable: layer.variable(W.spatialKernel.name), perm: conv });
      out.push({ key: `${b}.gcn2cn.conv.bias`, variable: layer.variable(W.spatialBias.name) });
      bn(`${b}.gcn2cn.bn`, layer, BN.spatial);
      bn(`${b}.tcn2cn.0`, layer, BN.temporalIn);
      out.push({ key: `${b}.tcn2cn.2.weight`, variable: layer.variable(W.temporalKernel.name), perm: conv });
      out.push({ key: `${b}.tcn2cn.2.bias`, variable: layer.variable(W.temporalBias.name) });
      bn(`${b}.tcn2cn.3`, layer, BN.temporalOut);
      if (layer.weightNames().includes(W.residualKernel.name)) {
        out.push({ key: `${b}.residual.0.weight`, variable: layer.variable(W.residualKernel.name), perm: [1, 0], reshapeTorch: drop });
        out.push({ key: `${b}.residual.0.bias`, variable: layer.variable(W.residualBias.name) });
        bn(`${b}.residual.1`, layer, BN.residual);
      }
    } else if (layer.name === layerNames.classifier) {
      out.push({ key: 'cls_head.fc.weight', variable: classifierWeight(layer, 'kernel'), perm: [1, 0], reshapeTorch: drop });
      out.push({ key: 'cls_head.fc.bias', variable: classifierWeight(layer, 'bias') });
    }
  }
  return out;
}

/** The PyTorch shape an official checkpoint stores for a mapping. */
function torchShape(m: OfficialWeightMapping): number[] {
  const tfShape = m.variable.shape as number[];
  const base = m.perm ? m.perm.map((_, i) => tfShape[m.perm!.indexOf(i)]) : tfShape;
  if (m.key === 'cls_head.fc.weight') return [...base, 1, 1, 1];
  if (m.key.endsWith('residual.0.weight')) return [...base, 1, 1];
  return base;
}

/** Converts an official tensor to the model's layout (a new tensor). */
export function torchToModelLayout(m: Pick<OfficialWeightMapping, 'perm' | 'reshapeTorch'>, t: StateDictTensor): tf.Tensor {
  return tf.tidy(() => {
    let x = tf.tensor(Float32Array.from(t.data), t.shape);
    if (m.reshapeTorch) x = tf.reshape(x, m.reshapeTorch(t.shape));
    return m.perm ? tf.transpose(x, m.perm) : x;
  });
}

/**
 * Loads an official / PYSKL Ske2Grid state dict into a model built by `buildSke2Grid`, applying
 * the PyTorch -> tfjs transposes, ignoring `backbone.A` and `num_batches_tracked`, and recomputing
 * each GIT permutation from the loaded scores (checked against `index_sel` when present). All
 * tensors (shapes, finite float32 values, non-negative running variances, each key once after the
 * `module.` prefix is removed) and the `index_sel` permutations are checked before anything is
 * written, so a bad state dict leaves the model untouched.
 * Keys may carry a `module.` prefix. `stateDict` may also be a whole checkpoint as
 * `readTorchCheckpoint` returns it (mmcv / PYSKL `{meta, state_dict, optimizer}` or a bare state
 * dict). Options: `strict` and `checkPermutation`, both default true.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, loadOfficialWeights, type StateDict } from 'ske2grid';
 * declare const stateDict: StateDict; // an official 5x5 NTU-60 checkpoint: name -> { shape, data }
 * const model = buildSke2Grid({ numClasses: 60 }); // same grid, stages and classes as the checkpoint
 * const { loaded, ignored, permutations } = loadOfficialWeights(model, stateDict); // strict, permutations checked
 * ```
 */
export function loadOfficialWeights(model: LayersModel, stateDict: OfficialCheckpoint, options: LoadOfficialWeightsOptions = {}): LoadOfficialWeightsReport {
  const entries = stateDictOf(stateDict);
  const mappings = officialWeightMap(model);
  const ignored: string[] = [];
  const known = new Set(mappings.map((m) => m.key));
  for (const key of entries.keys()) {
    if (key === 'backbone.A' || key.endsWith('.num_batches_tracked') || key.endsWith('.index_sel')) ignored.push(key);
    else if (!known.has(key) && options.strict !== false) {
      const hint = /sampling_stages|SGT_stages/.test(key)
        ? ' (the checkpoint has more UPT/GIT stages than the model: build the model with the same gridShape and stages)'
        : '';
      failAs(`stateDict['${key}']`, 'only parameters of this model', `an unknown key${hint}`);
    }
  }
  for (const m of mappings) {
    const t = entries.get(m.key);
    if (!t) failAs(`stateDict['${m.key}']`, `a tensor of shape ${describe(torchShape(m))}`, 'nothing (missing)');
    checkTensor(m.key, t, torchShape(m));
  }
  // The permutation each GIT stage will take is computed from the new scores (as float32, as the
  // variable holds them) and checked against index_sel here, before anything is written.
  const gits = model.layers.filter((l): l is GridIndexTransform => l instanceof GridIndexTransform);
  for (const layer of gits) {
    const stage = layerIndex(layer.name);
    const key = `backbone.SGT_stages.${stage}.index_sel`;
    const sel = entries.get(key);
    if (sel === undefined || options.checkPermutation === false) continue;
    const n = layer.nodes;
    if (
      sel === null ||
      sel.data == null ||
      typeof sel.data.length !== 'number' ||
      !Array.isArray(sel.shape) ||
      sel.shape.length !== 1 ||
      sel.shape[0] !== n ||
      sel.data.length !== n
    ) {
      failAs(`stateDict['${key}']`, `a permutation of 0..${n - 1} (shape [${n}])`, sel?.shape ? `shape ${describe(sel.shape)}` : describe(sel));
    }
    const expected = Array.from(sel.data, Number);
    const scores = entries.get(`backbone.SGT_stages.${stage}.sgt_trans_mat`)!;
    const p = greedyAssignment(Float32Array.from(scores.data), n);
    if (expected.some((v, r) => v !== p[r])) {
      failAs(`stateDict['${key}']`, `the greedy permutation of the loaded scores ${describe(p)}`, `${describe(expected)}`);
    }
  }
  const converted = mappings.map((m) => torchToModelLayout(m, entries.get(m.key)!));
  mappings.forEach((m, i) => {
    m.variable.write(converted[i]);
    converted[i].dispose();
  });
  const permutations = gits.map((layer) => layer.updatePermutation());
  return { loaded: mappings.map((m) => m.key), ignored, permutations };
}

/**
 * Exports a model's weights as an official-format state dict (the inverse of {@link loadOfficialWeights}):
 * official name -> PyTorch shape and row-major float32 values, `index_sel` of every stage included.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, exportOfficialStateDict } from 'ske2grid';
 * const stateDict = exportOfficialStateDict(buildSke2Grid());
 * stateDict['cls_head.fc.weight']?.shape; // [60, 256, 1, 1, 1] (PyTorch shape, row-major float32 data)
 * ```
 */
export function exportOfficialStateDict(model: LayersModel): Record<string, StateDictTensor> {
  const out: Record<string, StateDictTensor> = {};
  for (const m of officialWeightMap(model)) {
    const shape = torchShape(m);
    const data = tf.tidy(() => {
      let x = m.variable.read();
      if (m.perm) x = tf.transpose(x, inversePermutation(m.perm));
      return tf.reshape(x, shape);
    });
    out[m.key] = { shape, data: data.dataSync() as Float32Array };
    data.dispose();
  }
  for (const layer of model.layers) {
    if (layer instanceof GridIndexTransform) {
      const p = layer.getPermutation();
      out[`backbone.SGT_stages.${layerIndex(layer.name)}.index_sel`] = { shape: [p.length], data: Float32Array.from(p) };
    }
  }
  return out;
}

/** Converts a gradient or weight in the model's layout to the official layout (for comparisons). */
export function modelToTorchLayout(m: OfficialWeightMapping, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.reshape(m.perm ? tf.transpose(x, inversePermutation(m.perm)) : x, torchShape(m)));
}

function inversePermutation(p: number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((v, i) => (inv[v] = i));
  return inv;
}

function checkTensor(key: string, t: StateDictTensor, expected: number[]): void {
  if (!t || !Array.isArray(t.shape) || t.data == null) {
    fail(`stateDict['${key}']`, '{shape, data}', t);
  }
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    const hint = /sampling_stages|SGT_stages/.test(key) ? ' (was the checkpoint made for another grid size or stage sequence?)' : '';
    failAs(`stateDict['${key}']`, `shape ${describe(expected)}`, `${describe(t.shape)}${hint}`);
  }
  const size = expected.reduce((a, b) => a * b, 1);
  if (typeof t.data !== 'object' || typeof t.data.length !== 'number') failAs(`stateDict['${key}'].data`, `an array of numbers`, `${describe(t.data)}`);
  if (t.data.length !== size) failAs(`stateDict['${key}']`, `${size} values`, `${t.data.length}`);
  const variance = key.endsWith('.running_var');
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (typeof v !== 'number' || !(Math.abs(v) <= FLOAT32_MAX)) {
      failAs(`stateDict['${key}']`, `finite float32 values (|v| <= ${FLOAT32_MAX})`, `${describe(v)} at index ${i}`);
    }
    if (variance && v < 0) failAs(`stateDict['${key}']`, `non-negative running variances`, `${v} at index ${i}`);
  }
}

/** Largest finite float32 value. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** The trailing number of a layer name (`upt_stage1` -> 1, `block7` -> 7). */
function layerIndex(name: string): number {
  return Number(/(\d+)$/.exec(name)?.[1] ?? NaN);
}
