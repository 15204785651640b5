import * as tfl from '@tensorflow/tfjs-layers';
import { fail } from '../errors.js';

/**
 * The reference learning rate at iteration `step` (0-based) of `totalSteps`:
 * `min + 0.5 * (base - min) * (1 + cos(pi * step / totalSteps))` (mmcv CosineAnnealing, by iteration);
 * `min` default 0, `step` clamped to `[0, totalSteps]`.
 *
 * @example
 * ```ts
 * import { cosineLearningRate } from 'ske2grid';
 * cosineLearningRate(0, 1000, 0.05); // 0.05
 * cosineLearningRate(500, 1000, 0.05); // 0.025
 * cosineLearningRate(1000, 1000, 0.05, 0.001); // 0.001 (min, default 0)
 * ```
 */
export function cosineLearningRate(step: number, totalSteps: number, base: number, min = 0): number {
  if (!(totalSteps > 0)) fail('cosineLearningRate totalSteps', '> 0', totalSteps);
  const t = Math.min(Math.max(step, 0), totalSteps);
  return min + 0.5 * (base - min) * (1 + Math.cos((Math.PI * t) / totalSteps));
}

/** An optimizer whose learning rate can be set (tfjs SGD, momentum and {@link SgdWithWeightDecay}). */
interface SettableOptimizer {
  setLearningRate(lr: number): void;
}

/** Options of {@link CosineDecay}. */
export interface CosineDecayOptions {
  /** Learning rate at step 0; default 0.05. */
  baseLearningRate?: number;
  /** Final learning rate; default 0. */
  minLearningRate?: number;
  /** Total iterations of the schedule; default epochs x batches per epoch, read from `fit`'s params. */
  totalSteps?: number;
}

/**
 * `fit` / `fitDataset` callback that sets the optimizer's learning rate before every batch with the
 * reference cosine schedule ({@link cosineLearningRate}, per iteration, no warm-up). For a custom loop,
 * call {@link cosineLearningRate} yourself. `history` keeps the rate used at each step.
 *
 * @example
 * ```ts
 * import type * as tf from '@tensorflow/tfjs-core';
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { CosineDecay } from 'ske2grid';
 * declare const model: LayersModel, x: tf.Tensor, y: tf.Tensor; // compiled with an SgdWithWeightDecay
 * const schedule = new CosineDecay({ baseLearningRate: 0.05 }); // to 0 over epochs x batches per epoch
 * await model.fit(x, y, { epochs: 16, batchSize: 16, callbacks: [schedule] }); // schedule.history: the rate of every step
 * ```
 */
export class CosineDecay extends tfl.Callback {
  private step = 0;
  private total = 0;
  readonly history: number[] = [];

  constructor(private readonly options: CosineDecayOptions = {}) {
    super();
  }

  override async onTrainBegin(): Promise<void> {
    this.step = 0;
    const p = this.params as { epochs?: number; steps?: number | null; samples?: number; batchSize?: number; initialEpoch?: number };
    const perEpoch = p.steps ?? (p.samples != null && p.batchSize ? Math.ceil(p.samples / p.batchSize) : undefined);
    this.total = this.options.totalSteps ?? (perEpoch != null && p.epochs != null ? perEpoch * (p.epochs - (p.initialEpoch ?? 0)) : 0);
    if (!(this.total > 0)) {
      fail('CosineDecay totalSteps', 'a positive number (pass totalSteps when fit cannot tell the batches per epoch)', this.total);
    }
  }

  override async onBatchBegin(): Promise<void> {
    const lr = cosineLearningRate(this.step, this.total, this.options.baseLearningRate ?? 0.05, this.options.minLearningRate ?? 0);
    (this.model.optimizer as unknown as SettableOptimizer).setLearningRate(lr);
    this.history.push(lr);
    this.step++;
  }
}
