/**
 * Peak tensor memory of one training step, estimated before running it: a training step keeps every
 * activation and every intermediate gradient until the backward pass ends, so its peak grows with
 * batch x (sum over blocks of channels x frames). Two ways: a probe (two tiny steps at a few frames,
 * batch 1 and 2, measured with `tf.profile`) extrapolated to the target, or a closed form with a
 * constant calibrated on wasm (used where a probe would be slow).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { REFERENCE_BLOCKS, type BlockSpec } from '../src/index.js';
import { createTrainingStep } from './trainingStep.js';

/** Sum over blocks of `filters x input frames`: the frame-dependent size of a step's saved tensors. */
export function activationProxy(frames: number, blocks: readonly BlockSpec[] = REFERENCE_BLOCKS): number {
  let t = frames;
  let total = 0;
  for (const b of blocks) {
    total += b.filters * t;
    t = Math.floor((t - 1) / b.stride) + 1;
  }
  return total;
}

/** A linear memory model of a training step: `fixedBytes + batch x perSampleBytes(frames)`. */
export interface TrainingMemoryModel {
  /** Bytes independent of the batch (weights, gradients, momentum, bookkeeping). */
  fixedBytes: number;
  /** Bytes per sample at `frames` frames. */
  perSampleBytes(frames: number): number;
  /** How the model was obtained. */
  source: string;
}

/** Estimated peak bytes of a training step of `batch` clips of `frames` frames. */
export function estimatePeakBytes(model: TrainingMemoryModel, batch: number, frames: number): number {
  return model.fixedBytes + batch * model.perSampleBytes(frames);
}

/** Bytes of all trainable weights of a model. */
export function trainableBytes(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((a, w) => a + 4 * w.shape.reduce((p: number, d) => p * (d as number), 1), 0);
}

/**
 * Measures the memory model with two training steps of a fresh model built for `probeFrames`
 * frames (batch 1, then 2) and extrapolates the per-sample part with {@link activationProxy}.
 * `buildModel(frames)` must build the model being benchmarked with another frame count.
 */
export async function probeTrainingMemory(buildModel: (frames: number) => tfl.LayersModel, probeFrames = 8): Promise<TrainingMemoryModel> {
  const model = buildModel(probeFrames);
  const [, persons, , joints, channels] = model.inputs[0].shape as number[];
  const classes = (model.outputs[0].shape as number[])[1];
  const weightBytes = trainableBytes(model);
  const trainer = createTrainingStep(model);
  const peaks: number[] = [];
  try {
    for (const batch of [1, 2]) {
      const x = tf.randomNormal([batch, persons, probeFrames, joints, channels], 0, 1, 'float32', 7);
      const y = tf.oneHot(tf.range(0, batch, 1, 'int32'), classes);
      const info = await tf.profile(async () => void (await trainer.step(x, y)));
      peaks.push(info.peakBytes);
      tf.dispose([x, y]);
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
  const perSampleAtProbe = Math.max(peaks[1] - peaks[0], 0);
  const base = activationProxy(probeFrames);
  // The first step allocates the momentum buffers after its peak: count them once more.
  const fixedBytes = Math.max(peaks[0] - perSampleAtProbe, 0) + weightBytes;
  return {
    fixedBytes,
    perSampleBytes: (frames) => (perSampleAtProbe * activationProxy(frames)) / base,
    source: `probe at T=${probeFrames}, batch 1 and 2`,
  };
}

/**
 * Saved tensors per block activation in a training step, an upper bound: ~74 measured on wasm with
 * the library's first convolution formulation (5x5, T=100), rounded up; later formulations keep fewer.
 */
export const COPIES_PER_ACTIVATION = 80;

/** The closed-form memory model (no probe): {@link COPIES_PER_ACTIVATION} x the block activations, plus 8 x the weights. */
export function analyticTrainingMemory(model: tfl.LayersModel, grid: number): TrainingMemoryModel {
  const persons = (model.inputs[0].shape as number[])[1];
  return {
    fixedBytes: 8 * trainableBytes(model),
    perSampleBytes: (frames) => COPIES_PER_ACTIVATION * 4 * persons * grid * grid * activationProxy(frames),
    source: `closed form (${COPIES_PER_ACTIVATION} saved copies per block activation, calibrated on wasm)`,
  };
}

/** The largest divisor of `batch` whose step fits `budgetBytes`, or null when even one clip does not fit. */
export function chooseMicroBatch(model: TrainingMemoryModel, batch: number, frames: number, budgetBytes: number): number | null {
  for (let m = batch; m >= 1; m--) {
    if (batch % m === 0 && estimatePeakBytes(model, m, frames) <= budgetBytes) return m;
  }
  return null;
}
