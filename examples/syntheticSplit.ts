/**
 * The synthetic-action data of the demo and the browser example: the embedded COCO-17 actions split
 * per class into 75 % train / 25 % test (every fourth clip of a class is a test clip), as tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { generateSyntheticActions, toBatch, type SkeletonSample } from '../src/index.js';

/** One split as model input: `x` `[N, 1, frames, 17, 3]`, one-hot `y`, integer `labels`. */
export interface SyntheticTensors {
  x: tf.Tensor;
  y: tf.Tensor;
  labels: number[];
}

/** Generates 40 clips per class with `seed`, splits them per class, and batches both halves at `frames` frames. */
export function syntheticSplit(seed: number, frames: number) {
  const { samples, classes } = generateSyntheticActions({ samplesPerClass: 40, seed });
  const train: SkeletonSample[] = [];
  const test: SkeletonSample[] = [];
  classes.forEach((_, c) => samples.filter((s) => s.label === c).forEach((s, i) => (i % 4 === 3 ? test : train).push(s)));
  const tensors = (set: SkeletonSample[]): SyntheticTensors => {
    const b = toBatch(set, frames, 1);
    return { x: tf.tensor(b.x, b.shape), labels: Array.from(b.labels), y: tf.oneHot(tf.tensor1d(b.labels, 'int32'), classes.length) };
  };
  return { classes, train, test, tr: tensors(train), te: tensors(test) };
}
