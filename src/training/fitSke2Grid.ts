import { Ske2GridError, requireInt } from '../errors.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ClipBatchDataset } from '../data/clipBatches.js';
import { CosineDecay } from './cosineDecay.js';
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
  /** Initial learning rate of the cosine schedule; default 0.05. */
  learningRate?: number;
  /** Final learning rate; default 0. */
  minLearningRate?: number;
  /** Momentum (Nesterov); default 0.9. */
  momentum?: number;
  /** PyTorch-style weight decay; default 5e-4. */
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
 * for the defaults (batch size 16, shuffled). Compiles the model (a new
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
  compileForTraining(model, options);
  const batchSize = requireInt('options.batchSize', options.batchSize ?? 16, 1);
  const random = seedTrainingRun(model, trainingSeed(model, options.seed));
  // tfjs' own fit shuffles with Math.random; the batches come from a dataset ordered by the seed instead.
  const batches = tensorBatchDataset(x, y, { batchSize, random: (options.shuffle ?? true) ? random.order : undefined });
  return model.fitDataset(batches as unknown as Parameters<tfl.LayersModel['fitDataset']>[0], {
    epochs: options.epochs,
    validationData: options.validationData,
    validationBatchSize: batchSize,
    verbose: 0,
    callbacks: trainingCallbacks(options, random),
  });
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
  if (dataset == null || typeof dataset.iterator !== 'function' || !(dataset.size > 0)) {
    throw new Ske2GridError('dataset: expected a batch dataset with a positive size (batches per epoch) and iterator(), e.g. clipBatchDataset(...)');
  }
  compileForTraining(model, options);
  const random = seedTrainingRun(model, trainingSeed(model, options.seed));
  // fitDataset accepts any object with iterator() (tfjs-data is not needed); without batchesPerEpoch
  // it starts a fresh iterator, hence a fresh shuffle, every epoch.
  return model.fitDataset(dataset as unknown as Parameters<tfl.LayersModel['fitDataset']>[0], {
    epochs: options.epochs,
    verbose: 0,
    callbacks: trainingCallbacks(options, random, options.epochs * dataset.size),
  });
}

/** Compiles `model` with a fresh {@link SgdWithWeightDecay} and the logits loss (frees an optimizer this module made before). */
function compileForTraining(model: tfl.LayersModel, options: FitSke2GridDatasetOptions): void {
  requireInt('options.epochs', options.epochs, 1);
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

/** The recipe's callbacks: cosine decay (over `totalSteps` when given), permutation sync (noise from the run's seed), then the user's. */
function trainingCallbacks(options: FitSke2GridDatasetOptions, random: TrainingRandomness, totalSteps?: number): tfl.Callback[] {
  return [
    new CosineDecay({ baseLearningRate: options.learningRate ?? 0.05, minLearningRate: options.minLearningRate ?? 0, totalSteps }),
    new PermutationSync({ random: random.gumbel }),
    ...(options.callbacks ?? []),
  ];
}
