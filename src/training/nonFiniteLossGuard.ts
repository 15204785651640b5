import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Ske2GridError } from '../errors.js';

/**
 * `fit` / `fitDataset` callback that stops training when the batch loss is not finite and restores
 * the last weights (BatchNorm statistics and GIT permutations included) that gave a finite loss,
 * instead of leaving a poisoned model; {@link throwIfStopped} then reports it. Keeps two copies of
 * the weights, refreshed every batch. `fitSke2Grid` and `fitSke2GridDataset` add it.
 *
 * @example
 * ```ts
 * import type * as tf from '@tensorflow/tfjs-core';
 * import { NonFiniteLossGuard, buildSke2Grid, logitsCrossEntropy } from 'ske2grid';
 * declare const x: tf.Tensor, y: tf.Tensor;
 * const model = buildSke2Grid();
 * model.compile({ optimizer: 'sgd', loss: logitsCrossEntropy });
 * const guard = new NonFiniteLossGuard();
 * await model.fit(x, y, { epochs: 5, callbacks: [guard] });
 * guard.throwIfStopped('training'); // throws when a loss was NaN or infinite (weights restored)
 * ```
 */
export class NonFiniteLossGuard extends tfl.Callback {
  /** What stopped training (`NaN at epoch 2, batch 5`), or null. */
  stopped: string | null = null;
  private good: tf.Tensor[] = [];
  private pending: tf.Tensor[] = [];
  private epoch = 0;

  override async onTrainBegin(): Promise<void> {
    this.stopped = null;
    this.replace('good', this.copy());
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  override async onBatchBegin(): Promise<void> {
    this.replace('pending', this.copy()); // the weights this batch's loss is computed with
  }

  override async onBatchEnd(batch: number, logs?: tfl.Logs): Promise<void> {
    const raw = logs?.loss as number | tf.Scalar | undefined;
    const loss = raw instanceof tf.Tensor ? (await raw.data())[0] : raw;
    if (loss === undefined || Number.isFinite(loss)) {
      this.replace('good', this.pending);
      this.pending = [];
      return;
    }
    this.stopped = `${loss} at epoch ${this.epoch + 1}, batch ${batch + 1}`;
    const weights = this.model.weights;
    weights.forEach((w, i) => w.write(this.good[i]));
    this.model.stopTraining = true;
  }

  override async onTrainEnd(): Promise<void> {
    this.release();
  }

  /** Frees the weight copies (done at the end of training; call it when training threw before its end). */
  release(): void {
    this.replace('good', []);
    this.replace('pending', []);
  }

  /** Throws a {@link Ske2GridError} naming `what` when training was stopped by a non-finite loss. */
  throwIfStopped(what: string): void {
    if (this.stopped === null) return;
    throw new Ske2GridError(
      `${what} loss: expected a finite training loss, got ${this.stopped}; training stopped and the last weights that gave a finite loss restored (lower options.learningRate?)`,
    );
  }

  private copy(): tf.Tensor[] {
    return this.model.weights.map((w) => tf.clone(w.read()));
  }

  private replace(which: 'good' | 'pending', next: tf.Tensor[]): void {
    const old = this[which];
    this[which] = next;
    tf.dispose(old);
  }
}
