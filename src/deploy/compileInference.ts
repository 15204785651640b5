import { guardSkeletonInputs } from '../model/checkSkeletonInput.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, fail } from '../errors.js';
import { GRID_CONV_BLOCK_BATCH_NORMS, GridConvBlock } from '../layers/GridConvBlock.js';
import { GridIndexTransform } from '../layers/GridIndexTransform.js';
import { batchNormWeightName } from '../layers/layerBase.js';
import { PersonGridPooling } from '../layers/PersonGridPooling.js';
import { SKELETON_NORMALIZATION_BATCH_NORM, SkeletonNormalization } from '../layers/SkeletonNormalization.js';
import { UpsamplingTransform } from '../layers/UpsamplingTransform.js';
import { CONFIG_METADATA_KEY, classifierWeight, getModelConfig, layerNames } from '../model/buildSke2Grid.js';
import { toPlainConfig, type ResolvedSke2GridConfig } from '../model/config.js';
import { stageMixingTensors } from '../model/stageMixingMatrices.js';
import { FixedGridMapping, isSelectionMatrix, type GridMappingMode } from './layers/FixedGridMapping.js';
import { FoldedGridConvBlock, type FoldedGridConvWeights, type FoldedResidual } from './layers/FoldedGridConvBlock.js';

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
 * {@link FoldedGridConvBlock}, same convolution formulation), then `pool` and `classifier` as before.
 * No dropout, no permutation machinery, no trainable weights. Folding runs on the backend with the
 * same ops as the original's inference path (`GridConvBlock.foldedKernels`, `stageMixingMatrices`),
 * then one synchronous read of the folded values. The result saves and loads like any LayersModel and keeps the config (`getModelConfig`)
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
  const plan = planCompilation(model, options);
  try {
    return buildCompiled(
      plan,
      plan.reads.map((t) => t.dataSync() as Float32Array),
    );
  } finally {
    tf.dispose(plan.owned);
  }
}

/**
 * As {@link compileForInference}, reading every folded value asynchronously (`data()`): use it on
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
  const plan = planCompilation(model, options);
  try {
    const values = await Promise.all(plan.reads.map((t) => t.data()));
    return buildCompiled(plan, values as Float32Array[]);
  } finally {
    tf.dispose(plan.owned);
  }
}

/** A batch norm whose moving variance is checked before folding: its weight name and its variance tensor. */
interface VarianceCheck {
  weight: string;
  epsilon: number;
  index: number;
}

/** Everything a compilation needs, checked, with the folded values still on the backend. */
interface CompilationPlan {
  model: tfl.LayersModel;
  config: ResolvedSke2GridConfig;
  source: SourceLayers;
  frames: number | null;
  requested: 'auto' | GridMappingMode;
  name: string;
  /** Tensors to read to the host, in the order the indices below refer to. */
  reads: tf.Tensor[];
  /** The tensors of `reads` this compilation made (disposed after reading). */
  owned: tf.Tensor[];
  variances: VarianceCheck[];
  mixing: number;
  norm: { scale: number; shift: number };
  blocks: { residual: FoldedResidual; fields: [keyof FoldedGridConvWeights, number][] }[];
  classifier: { kernel: number; bias: number };
}

/** Checks the model and options and folds every weight on the backend (nothing read yet, no layer made). */
function planCompilation(model: tfl.LayersModel, options: CompileInferenceOptions): CompilationPlan {
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

  const reads: tf.Tensor[] = [];
  const owned: tf.Tensor[] = [];
  const read = (t: tf.Tensor, own: boolean) => {
    reads.push(t);
    if (own) owned.push(t);
    return reads.length - 1;
  };
  try {
    // The moving variances, checked on the host before anything is folded into a layer.
    const variances: VarianceCheck[] = [];
    const checkVariance = (layer: SkeletonNormalization | GridConvBlock, prefix: string) => {
      const weight = batchNormWeightName(prefix, 'movingVariance');
      variances.push({ weight: `${layer.name}/${weight}`, epsilon: layer.epsilon, index: read(layer.variable(weight).read(), false) });
    };
    checkVariance(source.norm, SKELETON_NORMALIZATION_BATCH_NORM);
    for (const block of source.blocks) {
      for (const prefix of Object.values(GRID_CONV_BLOCK_BATCH_NORMS)) {
        if (block.weightNames().includes(batchNormWeightName(prefix, 'movingVariance'))) checkVariance(block, prefix);
      }
    }
    const stages = stageMixingTensors(model);
    owned.push(...stages.slice(0, -1));
    const mixing = read(stages[stages.length - 1], true);
    const affine = source.norm.inferenceAffine();
    const norm = { scale: read(affine.scale, true), shift: read(affine.shift, true) };
    const blocks = source.blocks.map((b) => {
      const { residual, kernels } = b.foldedKernels();
      const fields = Object.entries(kernels).map(([field, t]) => [field, read(t as tf.Tensor, true)] as [keyof FoldedGridConvWeights, number]);
      return { residual, fields };
    });
    const classifier = {
      kernel: read(classifierWeight(source.classifier, 'kernel').read(), false),
      bias: read(classifierWeight(source.classifier, 'bias').read(), false),
    };
    return { model, config, source, frames, requested, name, reads, owned, variances, mixing, norm, blocks, classifier };
  } catch (e) {
    tf.dispose(owned);
    throw e;
  }
}

/** Builds the compiled model from a plan and the host values of its reads. */
function buildCompiled(plan: CompilationPlan, values: Float32Array[]): tfl.LayersModel {
  const { model, config, source, frames, requested, name } = plan;
  for (const v of plan.variances) {
    const bad = values[v.index].findIndex((x) => !(x + v.epsilon > 0));
    if (bad >= 0) fail(`${v.weight}[${bad}]`, `a value > -epsilon (${-v.epsilon})`, values[v.index][bad]);
  }
  const joints = config.layout.joints.length;
  const cells = config.gridShape[0] * config.gridShape[1];
  const mixing = values[plan.mixing];
  if (mixing.length !== cells * joints) {
    fail('model stages', `a last stage that gives the ${cells} grid cells`, `${mixing.length / joints} nodes`);
  }
  const selection = isSelectionMatrix(mixing, cells, joints);
  if (requested === 'gather' && !selection) {
    fail('options.mapping', "'auto' or 'matrix' (this model's grid cells mix several joints)", requested);
  }
  const mapping: GridMappingMode = requested === 'auto' ? (selection ? 'gather' : 'matrix') : requested;

  const input = tfl.input({ shape: [config.persons, frames, joints, config.inChannels], name: layerNames.input });
  const gridMapping = new FixedGridMapping({ name: 'grid_mapping', gridShape: [config.gridShape[0], config.gridShape[1]], mode: mapping });
  let x = gridMapping.apply(input) as tfl.SymbolicTensor;
  const blocks = source.blocks.map(
    (b, i) =>
      new FoldedGridConvBlock({
        name: b.name,
        filters: b.filters,
        stride: b.stride,
        residual: plan.blocks[i].residual,
        kernelSize: b.kernelSize,
        temporalKernelSize: b.temporalKernelSize,
        convFormulation: b.convFormulation,
      }),
  );
  for (const block of blocks) x = block.apply(x) as tfl.SymbolicTensor;
  x = new PersonGridPooling({ name: layerNames.pool }).apply(x) as tfl.SymbolicTensor;
  const classifier = tfl.layers.dense({ name: layerNames.classifier, units: config.numClasses, activation: 'linear', trainable: false });
  const logits = classifier.apply(x) as tfl.SymbolicTensor;
  const compiled = tfl.model({ inputs: input, outputs: logits, name });

  try {
    gridMapping.setMapping({ mixing, scale: values[plan.norm.scale], shift: values[plan.norm.shift] });
    blocks.forEach((block, i) =>
      block.setFolded(Object.fromEntries(plan.blocks[i].fields.map(([f, k]) => [f, values[k]])) as unknown as FoldedGridConvWeights),
    );
    const kernel = values[plan.classifier.kernel];
    const weights = [tf.tensor2d(kernel, [kernel.length / config.numClasses, config.numClasses]), tf.tensor1d(values[plan.classifier.bias])];
    classifier.setWeights(weights);
    tf.dispose(weights);
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
