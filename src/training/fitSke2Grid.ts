import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CosineDecay } from './cosineDecay.js';
import { PermutationSync } from './permutationSync.js';
import { SgdWithWeightDecay } from './sgdWithWeightDecay.js';

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
  /** Shuffle the training clips every epoch; default true. */
  shuffle?: boolean;
  /** Further callbacks (progress reporting, early stopping, ...). */
  callbacks?: tfl.Callback[];
}

/** Optimizers created here: disposed when a later call recompiles the same model. */
const ownOptimizers = new WeakSet<tf.Optimizer>();

/** Softmax cross-entropy on logits, the reference loss. */
export function logitsCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.losses.softmaxCrossEntropy(yTrue, yPred);
}

/**
 * Trains a Ske2Grid model with the reference recipe: SGD, Nesterov momentum 0.9, weight decay
 * 5e-4, learning rate 0.05 with per-iteration cosine decay to 0, cross-entropy on the logits,
 * and the GIT permutations kept in step with their scores ({@link PermutationSync}). `x` is
 * `[N, persons, frames, joints, channels]`, `y` one-hot `[N, classes]`. Compiles the model (a new
 * optimizer each call, as the reference restarts the schedule for every PLS stage); dispose
 * `model.optimizer` with the model when done.
 */
export async function fitSke2Grid(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, options: FitSke2GridOptions): Promise<tfl.History> {
  const lr = options.learningRate ?? 0.05;
  const previous = model.optimizer as tf.Optimizer | undefined;
  if (previous && ownOptimizers.has(previous)) previous.dispose();
  const optimizer = new SgdWithWeightDecay({ learningRate: lr, momentum: options.momentum ?? 0.9, weightDecay: options.weightDecay ?? 5e-4 });
  ownOptimizers.add(optimizer);
  model.compile({
    optimizer,
    loss: logitsCrossEntropy,
    metrics: ['accuracy'],
  });
  return model.fit(x, y, {
    epochs: options.epochs,
    batchSize: options.batchSize ?? 16,
    shuffle: options.shuffle ?? true,
    validationData: options.validationData,
    verbose: 0,
    callbacks: [
      new CosineDecay({ baseLearningRate: lr, minLearningRate: options.minLearningRate ?? 0 }),
      new PermutationSync(),
      ...(options.callbacks ?? []),
    ],
  });
}
