import * as tf from '@tensorflow/tfjs-core';
import { fail, failAs } from '../errors.js';

/** A named gradient as tfjs optimizers take it. */
type NamedGradient = { name: string; tensor: tf.Tensor };
type Gradients = Parameters<tf.MomentumOptimizer['applyGradients']>[0];

/** Options of {@link SgdWithWeightDecay}. */
export interface SgdWithWeightDecayOptions {
  /** Initial learning rate; default 0.05 (the reference, 4 GPUs x 16 clips). */
  learningRate?: number;
  /** Momentum, in [0, 1); default 0.9. */
  momentum?: number;
  /** Nesterov momentum; default true. */
  nesterov?: boolean;
  /** L2 weight decay added to every gradient (`g + wd * w`), PyTorch SGD style; default 5e-4. */
  weightDecay?: number;
}

/**
 * SGD with (Nesterov) momentum and PyTorch-style weight decay: the decay term `wd * w` is added to
 * the gradient of every trained variable before the momentum update, as `torch.optim.SGD` does
 * (and so also to BatchNorm scales, biases, UPT matrices and GIT scores, like the reference).
 * Use with `model.compile({ optimizer })`, `fitDataset` or `optimizer.minimize` in a custom loop;
 * the learning rate can be changed with `setLearningRate` (see `CosineDecay`).
 *
 * @example
 * ```ts
 * import { SgdWithWeightDecay, buildSke2Grid, logitsCrossEntropy } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 10 });
 * // defaults: learningRate 0.05, momentum 0.9, nesterov true, weightDecay 5e-4
 * model.compile({ optimizer: new SgdWithWeightDecay({ learningRate: 0.1 }), loss: logitsCrossEntropy });
 * ```
 */
export class SgdWithWeightDecay extends tf.MomentumOptimizer {
  readonly weightDecay: number;

  constructor(options: SgdWithWeightDecayOptions = {}) {
    const lr = options.learningRate ?? 0.05;
    const momentum = options.momentum ?? 0.9;
    const wd = options.weightDecay ?? 5e-4;
    for (const [name, v] of [
      ['learningRate', lr],
      ['momentum', momentum],
      ['weightDecay', wd],
    ] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        fail(`SgdWithWeightDecay ${name}`, 'a finite number >= 0', v);
      }
    }
    if (momentum >= 1) failAs(`SgdWithWeightDecay momentum`, `a momentum in [0, 1)`, `${momentum}`);
    super(lr, momentum, options.nesterov ?? true);
    this.weightDecay = wd;
  }

  /** Disposes the momentum buffers and the learning-rate scalar (tfjs' MomentumOptimizer leaves the latter). */
  override dispose(): void {
    super.dispose();
    if (!this.c.isDisposed) this.c.dispose();
  }

  /** The current learning rate. */
  getLearningRate(): number {
    return this.learningRate;
  }

  override applyGradients(variableGradients: Gradients): void {
    if (this.weightDecay === 0) {
      super.applyGradients(variableGradients);
      return;
    }
    const entries: NamedGradient[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    tf.tidy(() => {
      const decayed = entries.map(({ name, tensor }) => {
        const value = tf.engine().registeredVariables[name];
        return { name, tensor: tensor == null ? tensor : tf.add(tensor, tf.mul(value, this.weightDecay)) };
      });
      super.applyGradients(decayed);
    });
  }
}
