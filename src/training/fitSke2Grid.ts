import { Ske2GridError, describe, fail, requireInt } from '../errors.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ClipBatchDataset } from '../data/clipBatches.js';
import { CONFIG_METADATA_KEY } from '../model/buildSke2Grid.js';
import { checkModelData, describeClipShape } from '../model/checkModelData.js';
import { checkOneHotLabelsAsync, checkSkeletonInputAsync } from '../model/checkSkeletonInput.js';
import { CosineDecay } from './cosineDecay.js';
import { NonFiniteLossGuard } from './nonFiniteLossGuard.js';
import { PermutationSync } from './permutationSync.js';
import { SgdWithWeightDecay } from './sgdWithWeightDecay.js';
import { tensorBatchDataset } from './tensorBatchDataset.js';
import { seedTrainingRun, trainingSeed, type TrainingRandomness } from './trainingRandomness.js';

/** The training recipe of {@link fitSke2Grid}; defaults are the reference's (section 4 of its config). */
export interface FitSke2GridOptions {
  /** Epochs. Required. */
  epochs: number;
  /** Clips per batch; default 16. */
  batchSize?: number;
  /** Initial learning rate of the cosine schedule, in (0, 10]; default 0.05. */
  learningRate?: number;
  /** Final learning rate, in [0, learningRate]; default 0. */
  minLearningRate?: number;
  /** Momentum (Nesterov), in [0, 1); default 0.9. */
  momentum?: number;
  /** PyTorch-style weight decay, in [0, 1); default 5e-4. */
  weightDecay?: number;
  /** Held-out data evaluated after every epoch. */
  validationData?: [tf.Tensor, tf.Tensor];
  /** Shuffle the training clips every epoch (a seeded shuffle, see `seed`); default true. */
  shuffle?: boolean;
  /**
   * Seed of everything random in training: the batch order of every epoch, the dropout masks and the
   * GIT layers' Gumbel noise (the weights are seeded by the model's config). Default: the model's
   * config `seed` (`buildSke2Grid({ seed })`), so one seed fixes a whole run; unseeded when neither is set.
   */
  seed?: number;
  /** Further callbacks (progress reporting, early stopping, ...). */
  callbacks?: tfl.Callback[];
}

/** Optimizers created here: disposed when a later call recompiles the same model. */
const ownOptimizers = new WeakSet<tf.Optimizer>();

/**
 * Softmax cross-entropy on logits, the reference loss: one-hot `yTrue` `[B, K]`, logits `yPred` `[B, K]`
 * -> the mean over the batch (a scalar).
 *
 * @example
 * ```ts
 * import { SgdWithWeightDecay, buildSke2Grid, logitsCrossEntropy } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 10 }); // outputs logits [B, 10]
 * model.compile({ optimizer: new SgdWithWeightDecay(), loss: logitsCrossEntropy, metrics: ['accuracy'] });
 * ```
 */
export function logitsCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.losses.softmaxCrossEntropy(yTrue, yPred);
}

/**
 * Trains a Ske2Grid model with the reference recipe: SGD, Nesterov momentum 0.9, weight decay
 * 5e-4, learning rate 0.05 with per-iteration cosine decay to 0, cross-entropy on the logits,
 * and the GIT permutations kept in step with their scores ({@link PermutationSync}). `x` is
 * `[N, persons, frames, joints, channels]`, `y` one-hot `[N, classes]`; see {@link FitSke2GridOptions}
 * for the defaults (batch size 16, shuffled). Inputs, labels and options are checked first (finite
 * values, one-hot rows, shapes against the model). If the loss becomes non-finite, training stops,
 * the weights before that batch are restored and a {@link Ske2GridError} says so. Compiles the model (a new
 * optimizer each call, as the reference restarts the schedule for every PLS stage); dispose
 * `model.optimizer` with the model when done.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { buildSke2Grid, fitSke2Grid } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 4, frames: 16, blocks: [{ filters: 8, stride: 1 }] });
 * const x = tf.randomNormal([8, 2, 16, 17, 3]), y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
 * const history = await fitSke2Grid(model, x, y, { epochs: 2, batchSize: 4 }); // history.history.loss: one per epoch
 * ```
 */
export async function fitSke2Grid(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, options: FitSke2GridOptions): Promise<tfl.History> {
  checkRecipe(options);
  const batchSize = options.batchSize === undefined ? 16 : requireInt('options.batchSize', options.batchSize, 1);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') fail('options.shuffle', 'a boolean', options.shuffle);
  if (isSke2Grid(model) && x instanceof tf.Tensor) checkModelData(model, describeClipShape(x.shape, 'x'));
  await checkSkeletonInputAsync(model, x, 'x');
  await checkOneHotLabelsAsync(model, y, 'y', x.shape[0]);
  const validation = options.validationData;
  if (validation !== undefined) {
    if (!Array.isArray(validation) || validation.length !== 2) fail('options.validationData', '[x, y] tensors', validation);
    await checkSkeletonInputAsync(model, validation[0], 'options.validationData[0]');
    await checkOneHotLabelsAsync(model, validation[1], 'options.validationData[1]', validation[0].shape[0]);
  }
  compileForTraining(model, options);
  const guard = new NonFiniteLossGuard();
  const random = seedTrainingRun(model, trainingSeed(model, options.seed));
  // tfjs' own fit shuffles with Math.random; the batches come from a dataset ordered by the seed instead.
  const batches = tensorBatchDataset(x, y, { batchSize, random: (options.shuffle ?? true) ? random.order : undefined });
  let history: tfl.History;
  try {
    history = await model.fitDataset(batches as unknown as Parameters<tfl.LayersModel['fitDataset']>[0], {
      epochs: options.epochs,
      validationData: validation,
      validationBatchSize: batchSize,
      verbose: 0,
      callbacks: trainingCallbacks(options, random, guard),
    });
  } finally {
    guard.release(); // the weight copies, also when training threw
  }
  guard.throwIfStopped('fitSke2Grid');
  return history;
}

/** Options of {@link fitSke2GridDataset}: the recipe of {@link FitSke2GridOptions} without the in-memory batching fields. */
export type FitSke2GridDatasetOptions = Omit<FitSke2GridOptions, 'batchSize' | 'shuffle' | 'validationData'>;

/**
 * {@link fitSke2Grid} on a dataset of batches (`{xs, ys}`, e.g. `clipBatchDataset(...)`), read one
 * batch at a time so data larger than memory trains; the cosine schedule spans `epochs x dataset.size`
 * iterations. Same recipe, compilation and permutation sync as {@link fitSke2Grid}; the batch order is
 * the dataset's (`clipBatchDataset`'s own `seed`), `seed` fixes the dropout masks and the Gumbel noise.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, clipBatchDataset, fitSke2GridDataset, pysklTrainPipeline } from 'ske2grid';
 * import { openSkeletonDataset } from 'ske2grid/node';
 * const data = await openSkeletonDataset('datasets/nw_ucla'); // Kinect-20, 3D, 10 classes
 * const clips = pysklTrainPipeline({ kind: '3d', clipLen: 32, persons: 1, normalize3D: { centerJoint: 1 } });
 * const model = buildSke2Grid({ layout: data.layout, persons: 1, frames: 32, numClasses: 10 });
 * await fitSke2GridDataset(model, clipBatchDataset(data, { clips, numClasses: 10 }), { epochs: 40 });
 * ```
 */
export async function fitSke2GridDataset(model: tfl.LayersModel, dataset: ClipBatchDataset, options: FitSke2GridDatasetOptions): Promise<tfl.History> {
  if (dataset == null || typeof dataset.iterator !== 'function' || !(Number.isInteger(dataset.size) && dataset.size > 0)) {
    throw new Ske2GridError('dataset: expected a batch dataset with a positive size (batches per epoch) and iterator(), e.g. clipBatchDataset(...)');
  }
  checkRecipe(options);
  compileForTraining(model, options);
  const guard = new NonFiniteLossGuard();
  const random = seedTrainingRun(model, trainingSeed(model, options.seed));
  // fitDataset accepts any object with iterator() (tfjs-data is not needed); without batchesPerEpoch
  // it starts a fresh iterator, hence a fresh shuffle, every epoch.
  let history: tfl.History;
  try {
    history = await model.fitDataset(checkedBatches(model, dataset) as unknown as Parameters<tfl.LayersModel['fitDataset']>[0], {
      epochs: options.epochs,
      verbose: 0,
      callbacks: trainingCallbacks(options, random, guard, options.epochs * dataset.size),
    });
  } finally {
    guard.release(); // the weight copies, also when training threw
  }
  guard.throwIfStopped('fitSke2GridDataset');
  return history;
}

/** Checks the recipe fields shared by both fit functions (before anything is compiled or trained). */
function checkRecipe(options: FitSke2GridDatasetOptions): void {
  if (options == null || typeof options !== 'object') fail('options', 'an options object with epochs', options);
  requireInt('options.epochs', options.epochs, 1);
  const range = (name: 'learningRate' | 'minLearningRate' | 'momentum' | 'weightDecay', ok: (v: number) => boolean, expected: string) => {
    const v = options[name];
    if (v !== undefined && (typeof v !== 'number' || !ok(v))) fail(`options.${name}`, expected, v);
  };
  range('learningRate', (v) => v > 0 && v <= 10, 'a learning rate in (0, 10]');
  const lr = options.learningRate ?? 0.05;
  range('minLearningRate', (v) => v >= 0 && v <= lr, `a learning rate in [0, ${lr}] (at most options.learningRate)`);
  range('momentum', (v) => v >= 0 && v < 1, 'a momentum in [0, 1)');
  range('weightDecay', (v) => v >= 0 && v < 1, 'a weight decay in [0, 1)');
  if (options.callbacks !== undefined && !Array.isArray(options.callbacks))
    fail('options.callbacks', 'an array of tf.Callback', describe(typeof options.callbacks));
}

/** Whether `model` carries a Ske2Grid config (models of other builders are trained unchecked). */
function isSke2Grid(model: tfl.LayersModel): boolean {
  const meta = model?.getUserDefinedMetadata?.() as Record<string, unknown> | undefined;
  return meta?.[CONFIG_METADATA_KEY] != null;
}

/** `dataset` whose first batch of every epoch is checked against the model before it is trained on. */
function checkedBatches(model: tfl.LayersModel, dataset: ClipBatchDataset): ClipBatchDataset {
  const ske2grid = isSke2Grid(model);
  return {
    size: dataset.size,
    async iterator() {
      const it = await dataset.iterator();
      let index = 0;
      return {
        async next() {
          const r = await it.next();
          if (r.done) return r;
          const where = `dataset batch ${index}`;
          if (r.value == null || !(r.value.xs instanceof tf.Tensor) || !(r.value.ys instanceof tf.Tensor)) fail(where, '{ xs, ys } tensors', r.value);
          try {
            // The model against the data once (names both sides and the fix), then every batch's values.
            if (ske2grid && index === 0) checkModelData(model, describeClipShape(r.value.xs.shape, 'the first batch'));
            await checkSkeletonInputAsync(model, r.value.xs, `${where} xs`);
            await checkOneHotLabelsAsync(model, r.value.ys, `${where} ys`, r.value.xs.shape[0]);
          } catch (e) {
            tf.dispose([r.value.xs, r.value.ys]);
            throw e;
          }
          index++;
          return r;
        },
      };
    },
  };
}

/** Compiles `model` with a fresh {@link SgdWithWeightDecay} and the logits loss (frees an optimizer this module made before). */
function compileForTraining(model: tfl.LayersModel, options: FitSke2GridDatasetOptions): void {
  const previous = model.optimizer as tf.Optimizer | undefined;
  if (previous && ownOptimizers.has(previous)) previous.dispose();
  const optimizer = new SgdWithWeightDecay({
    learningRate: options.learningRate ?? 0.05,
    momentum: options.momentum ?? 0.9,
    weightDecay: options.weightDecay ?? 5e-4,
  });
  ownOptimizers.add(optimizer);
  model.compile({ optimizer, loss: logitsCrossEntropy, metrics: ['accuracy'] });
}

/** The recipe's callbacks: cosine decay (over `totalSteps` when given), permutation sync (noise from the run's seed), the loss guard, then the user's. */
function trainingCallbacks(options: FitSke2GridDatasetOptions, random: TrainingRandomness, guard: NonFiniteLossGuard, totalSteps?: number): tfl.Callback[] {
  return [
    new CosineDecay({ baseLearningRate: options.learningRate ?? 0.05, minLearningRate: options.minLearningRate ?? 0, totalSteps }),
    new PermutationSync({ random: random.gumbel }),
    guard,
    ...(options.callbacks ?? []),
  ];
}
