import * as tfl from '@tensorflow/tfjs-layers';
import { fail, failAs } from '../errors.js';
import { adjacencyPrior } from '../layouts/skeletonLayout.js';
import { GridConvBlock } from '../layers/GridConvBlock.js';
import { GridIndexTransform } from '../layers/GridIndexTransform.js';
import { PersonGridPooling } from '../layers/PersonGridPooling.js';
import { SkeletonNormalization } from '../layers/SkeletonNormalization.js';
import { UpsamplingTransform } from '../layers/UpsamplingTransform.js';
import { deriveSeed } from '../ops/seeds.js';
import { guardSkeletonInputs } from './checkSkeletonInput.js';
import { resolveConfig, toPlainConfig, type ResolvedSke2GridConfig, type Ske2GridConfig } from './config.js';

/**
 * Key under which the resolved config is kept in the model's user-defined metadata (saved with it).
 *
 * @example
 * ```ts
 * import { CONFIG_METADATA_KEY, buildSke2Grid } from 'ske2grid';
 * const meta = buildSke2Grid().getUserDefinedMetadata() as Record<string, unknown>;
 * meta[CONFIG_METADATA_KEY]; // the plain config, under 'ske2grid'; read it with getModelConfig(model)
 * ```
 */
export const CONFIG_METADATA_KEY = 'ske2grid';

/**
 * Deterministic layer names of a Ske2Grid model.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, layerNames } from 'ske2grid';
 * const model = buildSke2Grid({ gridShape: [6, 6], stages: [17, 25] });
 * model.getLayer(layerNames.upt(0)).trainable = false; // 'upt_stage0'
 * model.getLayer(layerNames.block(9)); // 'block9'; also layerNames.classifier = 'classifier'
 * ```
 */
export const layerNames = {
  input: 'skeletons',
  skeletonNorm: 'skeleton_norm',
  upt: (stage: number) => `upt_stage${stage}`,
  git: (stage: number) => `git_stage${stage}`,
  toGrid: 'to_grid',
  block: (index: number) => `block${index}`,
  pool: 'pool',
  classifier: 'classifier',
} as const;

/**
 * The weight schema of the classifier (a tfjs `Dense` layer, linear, with bias): `kernel`
 * `[features, classes]` and `bias` `[classes]`.
 */
export const CLASSIFIER_WEIGHTS = Object.freeze({
  kernel: { name: 'kernel', shape: (d: { features: number; classes: number }) => [d.features, d.classes] },
  bias: { name: 'bias', shape: (d: { classes: number }) => [d.classes] },
} as const);

/** The classifier weight of `layer` named by {@link CLASSIFIER_WEIGHTS}; throws a {@link Ske2GridError} when it has none. */
export function classifierWeight(layer: tfl.layers.Layer, which: keyof typeof CLASSIFIER_WEIGHTS): tfl.LayerVariable {
  const name = CLASSIFIER_WEIGHTS[which].name;
  const found = layer.weights.find((w) => w.originalName === `${layer.name}/${name}` || w.originalName === name);
  if (!found)
    fail(
      `model layer '${layer.name}'`,
      `a weight named '${name}'`,
      layer.weights.map((w) => w.originalName),
    );
  return found;
}

/**
 * Slot of each random draw of a Ske2Grid model under its seed ({@link deriveSeed} at level `'model'`):
 * UPT stage s `2s`, GIT stage s `2s + 1`, block i `100 + i`, the classifier 200, and the new GIT
 * stage's scores of `growSke2Grid` with `keepArrangement` 999. Fixed, so seeded models keep their weights.
 */
export const modelSeedSlots = {
  upt: (stage: number) => 2 * stage,
  git: (stage: number) => 2 * stage + 1,
  block: (index: number) => 100 + index,
  classifier: 200,
  grownArrangement: 999,
} as const;

/**
 * Builds a Ske2Grid model as a `tf.LayersModel`. Input `[batch, persons, frames, joints, channels]`,
 * output logits `[batch, numClasses]`. Defaults give the official 5x5 NTU-60 (COCO-17) model
 * (4,384,764 trainable parameters). `predict`, `fit` and `evaluate` check the input shape first
 * ({@link guardSkeletonInputs}). Layer names: `skeleton_norm`, `upt_stage{i}`, `git_stage{i}`,
 * `to_grid`, `block{0..9}`, `pool`, `classifier`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { buildSke2Grid } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 10, frames: 32 }); // layout 'coco', 5x5 grid, 2 persons, 3 channels
 * const logits = model.predict(tf.zeros([1, 2, 32, 17, 3])) as tf.Tensor; // [1, 10]
 * ```
 */
export function buildSke2Grid(config: Ske2GridConfig = {}): tfl.LayersModel {
  const c = resolveConfig(config);
  const joints = c.layout.joints.length;
  // Each layer's seed is derived from the model seed and the layer's place, so a grown model
  // draws its new stage exactly as a model built with that stage from the start.
  const seed = (slot: number) => deriveSeed(c.seed, 'model', slot);
  const input = tfl.input({ shape: [c.persons, c.frames, joints, c.inChannels], name: layerNames.input });

  let x = new SkeletonNormalization({
    name: layerNames.skeletonNorm,
    epsilon: c.batchNormEpsilon,
    momentum: c.batchNormMomentum,
  }).apply(input) as tfl.SymbolicTensor;

  const prior = c.prior === 'none' ? null : adjacencyPrior(c.layout, c.prior);
  c.stageOutputs.forEach((nodes, s) => {
    x = new UpsamplingTransform({ name: layerNames.upt(s), outNodes: nodes, prior: s === 0 ? prior : null, seed: seed(modelSeedSlots.upt(s)) }).apply(
      x,
    ) as tfl.SymbolicTensor;
    x = new GridIndexTransform({ name: layerNames.git(s), nodes, gumbelNoise: c.gumbelNoise, seed: seed(modelSeedSlots.git(s)) }).apply(
      x,
    ) as tfl.SymbolicTensor;
  });
  const [h, w] = c.gridShape;
  x = tfl.layers.reshape({ name: layerNames.toGrid, targetShape: [c.persons, c.frames ?? -1, h, w, c.inChannels] }).apply(x) as tfl.SymbolicTensor;

  c.blocks.forEach((spec, i) => {
    x = new GridConvBlock({
      name: layerNames.block(i),
      filters: spec.filters,
      stride: spec.stride,
      residual: i === 0 ? 'none' : 'auto',
      dropout: c.dropout,
      epsilon: c.batchNormEpsilon,
      momentum: c.batchNormMomentum,
      seed: seed(modelSeedSlots.block(i)),
      convFormulation: c.convFormulation,
    }).apply(x) as tfl.SymbolicTensor;
  });
  x = new PersonGridPooling({ name: layerNames.pool }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers
    .dense({
      name: layerNames.classifier,
      units: c.numClasses,
      kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: seed(modelSeedSlots.classifier) }),
      biasInitializer: 'zeros',
    })
    .apply(x) as tfl.SymbolicTensor;

  const model = tfl.model({ inputs: input, outputs: logits, name: c.name });
  model.setUserDefinedMetadata({ [CONFIG_METADATA_KEY]: toPlainConfig(c) });
  return guardSkeletonInputs(model);
}

/**
 * The resolved config a model was built with (read from its metadata, which survives save/load).
 *
 * @example
 * ```ts
 * import { getModelConfig } from 'ske2grid';
 * import { loadModel } from 'ske2grid/node';
 * const config = getModelConfig(await loadModel('checkpoints/run1')); // survives save/load
 * config.gridShape; // e.g. [6, 6]
 * ```
 */
export function getModelConfig(model: tfl.LayersModel): ResolvedSke2GridConfig {
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const stored = meta?.[CONFIG_METADATA_KEY] as Ske2GridConfig | undefined;
  if (!stored) failAs('model', `a model built by buildSke2Grid (with '${CONFIG_METADATA_KEY}' metadata)`, `'${model.name}' without it`);
  return resolveConfig(stored);
}
