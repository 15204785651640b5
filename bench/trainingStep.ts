/**
 * One optimizer step of the library's training recipe, as `fitSke2Grid` runs it: `SgdWithWeightDecay`
 * (Nesterov 0.9, weight decay 5e-4, lr 0.05), `logitsCrossEntropy`, and the GIT permutations
 * re-assigned from their scores after the step (what the `PermutationSync` callback does). A whole
 * batch goes through the compiled model (`trainOnBatch`, the function `fit` calls per batch); a
 * batch too large for the memory budget can be split into equal micro-batches whose gradients are
 * averaged before the single optimizer update (gradient accumulation).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { logitsCrossEntropy, syncPermutationsAsync, SgdWithWeightDecay } from '../src/index.js';

/** Options of {@link createTrainingStep}. */
export interface TrainingStepOptions {
  /** Clips per micro-batch; default the whole batch (no accumulation). Must divide the batch. */
  microBatch?: number;
  /** Learning rate; default 0.05 (the recipe's initial rate). */
  learningRate?: number;
}

/** A training step bound to one model: `step(x, y)` trains on `x` `[B, M, T, V, C]` / one-hot `y` `[B, K]` and resolves to the loss. */
export interface TrainingStep {
  step(x: tf.Tensor, y: tf.Tensor): Promise<number>;
  /** Disposes the optimizer (momentum buffers). */
  dispose(): void;
}

/** Compiles `model` with the library's recipe and returns its step function (see the module comment). */
export function createTrainingStep(model: tfl.LayersModel, options: TrainingStepOptions = {}): TrainingStep {
  const optimizer = new SgdWithWeightDecay({ learningRate: options.learningRate ?? 0.05 });
  model.compile({ optimizer, loss: logitsCrossEntropy, metrics: ['accuracy'] });

  const whole = async (x: tf.Tensor, y: tf.Tensor): Promise<number> => {
    const out = await model.trainOnBatch(x, y);
    return Array.isArray(out) ? out[0] : out;
  };

  const accumulated = async (x: tf.Tensor, y: tf.Tensor, micro: number): Promise<number> => {
    const batch = x.shape[0];
    const parts = batch / micro;
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let sums: tf.NamedTensorMap | null = null;
    let lossSum = 0;
    for (let p = 0; p < parts; p++) {
      const { value, grads } = optimizer.computeGradients(() => {
        const xs = tf.slice(x, p * micro, micro);
        const ys = tf.slice(y, p * micro, micro);
        return logitsCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;
      }, variables);
      lossSum += (await value.data())[0];
      value.dispose();
      if (sums === null) {
        sums = grads;
      } else {
        const previous: tf.NamedTensorMap = sums;
        sums = tf.tidy(() => Object.fromEntries(Object.keys(grads).map((k) => [k, tf.add(previous[k], grads[k])])));
        tf.dispose([Object.values(previous), Object.values(grads)]);
      }
    }
    const totals = sums as tf.NamedTensorMap;
    const mean = tf.tidy(() => Object.keys(totals).map((name) => ({ name, tensor: tf.div(totals[name], parts) })));
    tf.dispose(Object.values(totals));
    optimizer.applyGradients(mean);
    tf.dispose(mean.map((g) => g.tensor));
    return lossSum / parts;
  };

  return {
    async step(x, y) {
      const batch = x.shape[0];
      const micro = options.microBatch ?? batch;
      if (!Number.isInteger(micro) || micro < 1 || batch % micro !== 0) {
        throw new Error(`microBatch: expected a divisor of the batch ${batch}, got ${micro}`);
      }
      const loss = micro === batch ? await whole(x, y) : await accumulated(x, y, micro);
      await syncPermutationsAsync(model, { noise: true });
      return loss;
    },
    dispose() {
      optimizer.dispose();
    },
  };
}
