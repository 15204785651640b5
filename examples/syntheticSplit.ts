/**
 * The synthetic-action data of the demo and the browser example: the embedded COCO-17 actions split
 * per class into 75 % train / 25 % test (every fourth clip of a class is a test clip), as tensors.
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  clipBatchDataset,
  formatClips,
  generateSyntheticActions,
  sampleFrames,
  uniformSampleIndices,
  type FormattedClips,
  type SkeletonSequence,
} from '../src/index.js';

/** One split as model input: `x` `[N, 1, frames, 17, 3]` (x, y, score), one-hot `y` `[N, 8]`, integer `labels`. */
export interface SyntheticTensors {
  x: tf.Tensor;
  y: tf.Tensor;
  labels: number[];
}

/**
 * One clip as model input `[1, 1, frames, 17, 3]`: `frames` frames picked by PYSKL's test-mode
 * `UniformSampleFrames` (deterministic), the score appended as the third channel, one person slot.
 */
export function syntheticClip(seq: SkeletonSequence, frames: number): FormattedClips {
  return formatClips(sampleFrames(seq, uniformSampleIndices(seq.frames, frames, { mode: 'test' })), { persons: 1 });
}

/** Generates 40 clips per class with `seed`, splits them per class, and batches both halves at `frames` frames. */
export async function syntheticSplit(seed: number, frames: number) {
  const { sequences, classes } = generateSyntheticActions({ samplesPerClass: 40, seed });
  const train: SkeletonSequence[] = [];
  const test: SkeletonSequence[] = [];
  classes.forEach((_, c) => sequences.filter((s) => s.label === c).forEach((s, i) => (i % 4 === 3 ? test : train).push(s)));
  const tensors = async (set: SkeletonSequence[]): Promise<SyntheticTensors> => {
    // The whole split as one batch, in order.
    const all = clipBatchDataset(set, { clips: (seq) => syntheticClip(seq, frames), numClasses: classes.length, batchSize: set.length, shuffle: false });
    const batch = await (await all.iterator()).next();
    if (batch.done) throw new Error('syntheticSplit: the split is empty');
    return { x: batch.value.xs, y: batch.value.ys, labels: set.map((s) => s.label as number) };
  };
  return { classes, train, test, tr: await tensors(train), te: await tensors(test) };
}
