import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipBatchDataset } from '../../src/data/clipBatches.js';
import { datasetSplit } from '../../src/data/readers/datasetManifest.js';
import { randomRotation } from '../../src/data/transforms/augment.js';
import { pysklTestPipeline, pysklTrainPipeline } from '../../src/data/transforms/pysklPipelines.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { openSkeletonDataset, type SkeletonDataset } from '../../src/node/datasetDirectory.js';
import { evaluateSequences } from '../../src/training/evaluateSequences.js';
import { fitSke2GridDataset } from '../../src/training/fitSke2Grid.js';
import { SHARED, useBackend } from '../helpers/backends.js';

const DIR = `${SHARED}datasets/utkinect`;
const present = existsSync(`${DIR}/manifest.json`);

// UTKinect-Action3D (Xia, Chen, Aggarwal, CVPR Workshops 2012): 10 actions, Kinect v1 20 joints,
// cross-subject odd/even protocol (100 train / 99 test clips).
describe.skipIf(!present)('real data: a tiny Ske2Grid learns UTKinect actions (needs ../shared/datasets/utkinect)', () => {
  let data: SkeletonDataset;
  beforeAll(async () => {
    await useBackend('wasm');
    data = await openSkeletonDataset(DIR);
  });
  afterAll(() => data?.close());

  it('reaches well above chance (10 %) on the cross-subject test split after a few epochs', async () => {
    const before = tf.memory().numTensors;
    const split = datasetSplit(data.manifest, 'cross_subject_odd_even');
    expect([split.train.length, split.test.length]).toEqual([100, 99]);
    const pipeline = { kind: '3d' as const, clipLen: 16, persons: 1, normalize3D: { centerJoint: 1 } };
    const train = clipBatchDataset(data, {
      indices: split.train,
      numClasses: 10,
      batchSize: 10,
      seed: 0,
      clips: pysklTrainPipeline({ ...pipeline, augmentations: [(s, r) => randomRotation(s, r, { maxDegrees: 10 })] }),
    });
    const model = buildSke2Grid({
      layout: 'kinect20',
      persons: 1,
      frames: 16,
      numClasses: 10,
      seed: 0,
      blocks: [
        { filters: 8, stride: 1 },
        { filters: 16, stride: 2 },
        { filters: 16, stride: 1 },
      ],
    });
    const history = await fitSke2GridDataset(model, train, { epochs: 12, learningRate: 0.1 });
    const losses = history.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]);

    const result = await evaluateSequences(model, data, { indices: split.test, clips: pysklTestPipeline({ ...pipeline, numClips: 2 }) });
    expect(result.labels.length).toBe(99);
    expect(result.probabilities[0].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // Chance is 10 %; a model that learned nothing stays near it.
    console.log(`UTKinect cross-subject top-1 ${(100 * result.top[1]).toFixed(1)} %`);
    expect(result.top[1]).toBeGreaterThan(0.35);
    (model.optimizer as tf.Optimizer).dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
