import { guardSkeletonInputs } from '../model/checkSkeletonInput.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Ske2GridError, describe, fail } from '../errors.js';
import { FixedGridMapping, isSelectionMatrix, type GridMappingMode } from '../layers/FixedGridMapping.js';
import { FoldedGridConvBlock, type FoldedGridConvWeights, type FoldedResidual } from '../layers/FoldedGridConvBlock.js';
import { GridConvBlock } from '../layers/GridConvBlock.js';
import { GridIndexTransform } from '../layers/GridIndexTransform.js';
import { PersonGridPooling } from '../layers/PersonGridPooling.js';
import { SkeletonNormalization } from '../layers/SkeletonNormalization.js';
import { UpsamplingTransform } from '../layers/UpsamplingTransform.js';
import { CONFIG_METADATA_KEY, getModelConfig, layerNames } from '../model/buildSke2Grid.js';
import { toPlainConfig, type ResolvedSke2GridConfig } from '../model/config.js';
import { batchNormAffine, composeAffine, foldAffineIntoKernel } from './foldBatchNorm.js';

/**
 * Key of the inference marker in a compiled model's user-defined metadata (saved with it): `'ske2gridInference'`.
 *
 * @example
 * ```ts
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { INFERENCE_METADATA_KEY } from 'ske2grid';
 * declare const model: LayersModel; // e.g. loaded from disk
 * const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
 * meta?.[INFERENCE_METADATA_KEY]; // the InferenceMarker of a compiled model; inferenceMarker(model) reads it checked
 * ```
 */
export const INFERENCE_METADATA_KEY = 'ske2gridInference';

/**
 * Format tag of the inference marker: `'ske2grid-inference/v1'`.
 *
 * @example
 * ```ts
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { INFERENCE_FORMAT, inferenceMarker } from 'ske2grid';
 * declare const model: LayersModel;
 * inferenceMarker(model)?.format === INFERENCE_FORMAT; // true for a model from compileForInference
 * ```
 */
export const INFERENCE_FORMAT = 'ske2grid-inference/v1';

/** Options of {@link compileForInference}. */
export interface CompileInferenceOptions {
  /**
   * How the joint -> cell map runs: `'gather'` when every grid cell reads at most one joint (the
   * composite of the UPT/GIT stages is a selection), else `'matrix'` (`'auto'`); or force one.
   * `'gather'` on a model whose map mixes joints throws. Default `'auto'`.
   */
  mapping?: 'auto' | GridMappingMode;
  /** Frames of the compiled model's input (`null` = any length); default the model's frames. */
  frames?: number | null;
  /** Name of the compiled model; default `<model name>_inference`. */
  name?: string;
}

/** The marker a compiled model carries in its metadata under {@link INFERENCE_METADATA_KEY}. */
export interface InferenceMarker {
  /** {@link INFERENCE_FORMAT}. */
  format: string;
  /** How the grid mapping runs. */
  mapping: GridMappingMode;
  /** Name of the model it was compiled from. */
  source: string;
}

/** The source layers a compilation reads, found by name and checked by class. */
interface SourceLayers {
  norm: SkeletonNormalization;
  stages: { upt: UpsamplingTransform; git: GridIndexTransform }[];
  blocks: GridConvBlock[];
  classifier: tfl.layers.Layer;
}

/**
 * Compiles a Ske2Grid model (from {@link buildSke2Grid}, {@link growSke2Grid} or a checkpoint) into a
 * NEW inference-only `tf.LayersModel` with the same input `[N, M, T, V, C]` and the same logits `[N, K]`
 * as the original in inference mode: the skeleton batch norm and every UPT/GIT stage become one fixed
 * affine joint -> cell map (`grid_mapping`, {@link FixedGridMapping}; a gather when each cell reads
 * one joint), every block's batch norms are folded into its convolutions (`block{i}`,
 * {@link FoldedGridConvBlock}), then `pool` and `classifier` as before. No dropout, no permutation
 * machinery, no trainable weights. Folding runs in float64 on the host (one synchronous read of
 * every weight). The result saves and loads like any LayersModel and keeps the config (`getModelConfig`)
 * plus an {@link InferenceMarker}. The original model is left untouched.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { buildSke2Grid, compileForInference } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 10, frames: 32 }); // in practice a trained one
 * const fast = compileForInference(model); // mapping 'auto', the model's frames
 * const clips = tf.randomNormal([4, 2, 32, 17, 3]);
 * const logits = fast.predict(clips) as tf.Tensor; // [4, 10], == model.predict(clips) to ~1e-6 relative
 * ```
 */
export function compileForInference(model: tfl.LayersModel, options: CompileInferenceOptions = {}): tfl.LayersModel {
  return compileWith(model, options, (t) => t.dataSync() as Float32Array);
}

/**
 * As {@link compileForInference}, reading every weight asynchronously first (`data()`): use it on
 * GPU backends, where a synchronous read stalls the page (and on WebGPU in headless Chromium loses
 * the device). Same result, same errors.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, compileForInferenceAsync } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 10, frames: 32 }); // trained on webgpu, say
 * const fast = await compileForInferenceAsync(model); // no synchronous device read
 * ```
 */
export async function compileForInferenceAsync(model: tfl.LayersModel, options: CompileInferenceOptions = {}): Promise<tfl.LayersModel> {
  if (!(model instanceof tfl.LayersModel)) fail('model', 'a tf.LayersModel built by buildSke2Grid', model === null ? null : typeof model);
  const tensors = model.weights.map((w) => w.read());
  const values = await Promise.all(tensors.map((t) => t.data()));
  const host = new Map<tf.Tensor, Float32Array>(tensors.map((t, i) => [t, values[i] as Float32Array]));
  return compileWith(model, options, (t) => host.get(t) ?? (t.dataSync() as Float32Array));
}

/** Reads a weight's values to the host (synchronously, or from values read before). */
type HostRead = (weight: tf.Tensor) => Float32Array;

function compileWith(model: tfl.LayersModel, options: CompileInferenceOptions, read: HostRead): tfl.LayersModel {
  if (!(model instanceof tfl.LayersModel)) fail('model', 'a tf.LayersModel built by buildSke2Grid', model === null ? null : typeof model);
  if (inferenceMarker(model)) {
    fail('model', 'a trainable Ske2Grid model (built by buildSke2Grid)', `'${model.name}', already compiled for inference`);
  }
  const config = getModelConfig(model);
  const source = findSourceLayers(model, config);
  const frames = options.frames === undefined ? config.frames : options.frames;
  if (frames !== null && !(Number.isInteger(frames) && frames >= 1)) fail('options.frames', 'a positive integer or null (any length)', frames);
  const requested = options.mapping ?? 'auto';
  if (!['auto', 'matrix', 'gather'].includes(requested)) fail('options.mapping', "'auto', 'matrix' or 'gather'", requested);
  const name = options.name ?? `${model.name}_inference`;
  if (typeof name !== 'string' || name.length === 0) fail('options.name', 'a non-empty string', name);

  // Everything is read and folded on the host before a single layer is made.
  const joints = config.layout.joints.length;
  const cells = config.gridShape[0] * config.gridShape[1];
  const mixing = compositeMixing(source.stages, joints, cells, read);
  const selection = isSelectionMatrix(mixing, cells, joints);
  if (requested === 'gather' && !selection) {
    fail('options.mapping', "'auto' or 'matrix' (this model's grid cells mix several joints)", requested);
  }
  const mapping: GridMappingMode = requested === 'auto' ? (selection ? 'gather' : 'matrix') : requested;
  const norm = batchNormAffine(source.norm, 'bn', source.norm.epsilon, read);
  const folded = source.blocks.map((b) => foldBlock(b, read));
  const [kernel, bias] = source.classifier.weights.map((w) => read(w.read()));

  const input = tfl.input({ shape: [config.persons, frames, joints, config.inChannels], name: layerNames.input });
  const gridMapping = new FixedGridMapping({ name: 'grid_mapping', gridShape: [config.gridShape[0], config.gridShape[1]], mode: mapping });
  let x = gridMapping.apply(input) as tfl.SymbolicTensor;
  const blocks = source.blocks.map(
    (b, i) =>
      new FoldedGridConvBlock({
        name: b.name,
        filters: b.filters,
        stride: b.stride,
        residual: folded[i].residual,
        kernelSize: b.kernelSize,
        temporalKernelSize: b.temporalKernelSize,
      }),
  );
  for (const block of blocks) x = block.apply(x) as tfl.SymbolicTensor;
  x = new PersonGridPooling({ name: layerNames.pool }).apply(x) as tfl.SymbolicTensor;
  const classifier = tfl.layers.dense({ name: layerNames.classifier, units: config.numClasses, activation: 'linear', trainable: false });
  const logits = classifier.apply(x) as tfl.SymbolicTensor;
  const compiled = tfl.model({ inputs: input, outputs: logits, name });

  try {
    gridMapping.setMapping({ mixing, scale: norm.scale, shift: norm.shift });
    blocks.forEach((block, i) => block.setFolded(folded[i].weights));
    const values = [tf.tensor2d(kernel, [kernel.length / config.numClasses, config.numClasses]), tf.tensor1d(bias)];
    classifier.setWeights(values);
    tf.dispose(values);
  } catch (e) {
    compiled.dispose();
    throw e;
  }
  const marker: InferenceMarker = { format: INFERENCE_FORMAT, mapping, source: model.name };
  compiled.setUserDefinedMetadata({ [CONFIG_METADATA_KEY]: { ...toPlainConfig(config), frames }, [INFERENCE_METADATA_KEY]: marker });
  return guardSkeletonInputs(compiled);
}

/**
 * The inference marker of a model compiled by {@link compileForInference}, or `null` for any other model.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, compileForInference, inferenceMarker } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 10 });
 * inferenceMarker(model); // null
 * inferenceMarker(compileForInference(model)); // { format: 'ske2grid-inference/v1', mapping: 'matrix', source: 'ske2grid' }
 * ```
 */
export function inferenceMarker(model: tfl.LayersModel): InferenceMarker | null {
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const marker = meta?.[INFERENCE_METADATA_KEY] as InferenceMarker | undefined;
  return marker?.format === INFERENCE_FORMAT ? { ...marker } : null;
}

/** Finds every layer a compilation reads and checks its class; throws a {@link Ske2GridError} naming the first that is missing or wrong. */
function findSourceLayers(model: tfl.LayersModel, config: ResolvedSke2GridConfig): SourceLayers {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const find = <T>(name: string, expected: string, isIt: (l: tfl.layers.Layer) => boolean): T => {
    const layer = byName.get(name);
    if (!layer) fail(`model layer '${name}'`, `a ${expected} (a Ske2Grid model built by buildSke2Grid)`, 'no such layer');
    if (!isIt(layer)) fail(`model layer '${name}'`, `a ${expected}`, layer.getClassName());
    return layer as T;
  };
  const [, persons, frames, joints, channels] = model.inputs[0]?.shape ?? [];
  const expectedInput = [null, config.persons, config.frames, config.layout.joints.length, config.inChannels];
  if (model.inputs.length !== 1 || describe([null, persons, frames, joints, channels]) !== describe(expectedInput)) {
    fail(
      'model input',
      `one input of shape ${describe(expectedInput)} (from its config)`,
      model.inputs.map((i) => i.shape),
    );
  }
  const classifier = find<tfl.layers.Layer>(layerNames.classifier, 'Dense layer', (l) => l.getClassName() === 'Dense');
  const activation = (classifier.getConfig() as { activation?: string }).activation;
  if (activation !== 'linear' || classifier.getWeights().length !== 2) {
    fail(
      `model layer '${layerNames.classifier}'`,
      'a Dense layer with a bias and a linear activation',
      `activation ${activation}, ${classifier.getWeights().length} weights`,
    );
  }
  find(layerNames.pool, 'PersonGridPooling', (l) => l instanceof PersonGridPooling);
  return {
    norm: find(layerNames.skeletonNorm, 'SkeletonNormalization', (l) => l instanceof SkeletonNormalization),
    stages: config.stageOutputs.map((_, s) => ({
      upt: find(layerNames.upt(s), 'UpsamplingTransform', (l) => l instanceof UpsamplingTransform),
      git: find(layerNames.git(s), 'GridIndexTransform', (l) => l instanceof GridIndexTransform),
    })),
    blocks: config.blocks.map((_, i) => find(layerNames.block(i), 'GridConvBlock', (l) => l instanceof GridConvBlock)),
    classifier,
  };
}

/**
 * The composite joint -> cell matrix `[cells, joints]` (row-major, float64): for each stage the UPT
 * matrix (times the prior) and then the GIT permutation of rows, `P_s U_s ... P_0 U_0 G`.
 */
function compositeMixing(stages: SourceLayers['stages'], joints: number, cells: number, read: HostRead): Float64Array {
  let rows = joints;
  let m = new Float64Array(joints * joints);
  for (let j = 0; j < joints; j++) m[j * joints + j] = 1;
  for (const { upt, git } of stages) {
    const matrix = upt.variable('matrix').read();
    const [outNodes, inNodes] = matrix.shape;
    const u = Float64Array.from(read(matrix));
    const effective = upt.prior ? multiply(u, Float64Array.from(upt.prior.flat()), outNodes, inNodes, inNodes) : u;
    const mixed = multiply(effective, m, outNodes, inNodes, joints);
    const perm = Array.from(read(git.variable('permutation').read()), Math.round);
    if (perm.length !== outNodes) fail(`${git.name} permutation`, `${outNodes} entries (the nodes of ${upt.name})`, perm.length);
    m = new Float64Array(outNodes * joints);
    perm.forEach((node, r) => m.set(mixed.subarray(node * joints, (node + 1) * joints), r * joints));
    rows = outNodes;
  }
  if (rows !== cells) throw new Ske2GridError(`model stages: expected the last stage to give the ${cells} grid cells, got ${rows} nodes`);
  return m;
}

/** `a [n, k] @ b [k, p]`, row-major float64. */
function multiply(a: Float64Array, b: Float64Array, n: number, k: number, p: number): Float64Array {
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < k; l++) {
      const x = a[i * k + l];
      if (x === 0) continue;
      for (let j = 0; j < p; j++) out[i * p + j] += x * b[l * p + j];
    }
  }
  return out;
}

/** A block's folded weights and resolved residual: spatial_bn and temporal_bn_in into the grid conv, temporal_bn_out into the temporal conv, residual_bn into the residual conv. */
function foldBlock(block: GridConvBlock, readHost: HostRead): { residual: FoldedResidual; weights: FoldedGridConvWeights } {
  const read = (name: string) => readHost(block.variable(name).read());
  const bn = (prefix: string) => batchNormAffine(block, prefix, block.epsilon, readHost);
  const names = block.weightNames();
  const residual: FoldedResidual = names.includes('residual_conv_kernel') ? 'conv' : block.residual === 'none' ? 'none' : 'identity';
  const spatial = foldAffineIntoKernel(read('spatial_conv_kernel'), read('spatial_conv_bias'), composeAffine(bn('spatial_bn'), bn('temporal_bn_in')));
  const temporal = foldAffineIntoKernel(read('temporal_conv_kernel'), read('temporal_conv_bias'), bn('temporal_bn_out'));
  const weights: FoldedGridConvWeights = {
    spatialKernel: spatial.kernel,
    spatialBias: spatial.bias,
    temporalKernel: temporal.kernel,
    temporalBias: temporal.bias,
  };
  if (residual === 'conv') {
    const res = foldAffineIntoKernel(read('residual_conv_kernel'), read('residual_conv_bias'), bn('residual_bn'));
    weights.residualKernel = res.kernel;
    weights.residualBias = res.bias;
  }
  return { residual, weights };
}
