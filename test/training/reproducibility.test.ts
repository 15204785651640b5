import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipBatchDataset } from '../../src/data/clipBatches.js';
import { createRandom, shuffled } from '../../src/random/random.js';
import type { SkeletonSequence } from '../../src/data/skeletonSequence.js';
import { formatClips } from '../../src/data/transforms/formatClips.js';
import { Ske2GridError } from '../../src/errors.js';
import { GridConvBlock } from '../../src/layers/GridConvBlock.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import type { Ske2GridConfig } from '../../src/model/config.js';
import { fitSke2Grid, fitSke2GridDataset } from '../../src/training/fitSke2Grid.js';
import { tensorBatchDataset } from '../../src/training/tensorBatchDataset.js';
import { trainProgressive } from '../../src/training/trainProgressive.js';
import { trainingSeed } from '../../src/training/trainingRandomness.js';
import { NODE_BACKENDS, useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

/** TINY with every random part of training switched on: dropout and Gumbel noise. */
const NOISY: Ske2GridConfig = { ...TINY, dropout: 0.3, gumbelNoise: true };

/** 12 clips of 3 classes, the same values on every call (drawn from a seeded source, not from tfjs). */
function data(n = 12) {
  const random = createRandom(11);
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const values = Float32Array.from({ length: n * 2 * 8 * 17 * 3 }, () => random.normal());
  return { x: tf.tensor(values, [n, 2, 8, 17, 3]), y: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3)), values, labels };
}

async function weightsOf(model: tfl.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.weights.map(async (w) => (await w.read().data()) as Float32Array));
}

/** Trains a fresh NOISY model built with `modelSeed` for 3 epochs; returns its losses and final weights. */
async function run(modelSeed: number, fitSeed?: number) {
  const { x, y } = data();
  const model = buildSke2Grid({ ...NOISY, seed: modelSeed });
  const history = await fitSke2Grid(model, x, y, { epochs: 3, batchSize: 4, seed: fitSeed, validationData: [x, y] });
  const out = { loss: history.history.loss as number[], valLoss: history.history.val_loss as number[], weights: await weightsOf(model) };
  model.optimizer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return out;
}

for (const backend of NODE_BACKENDS) {
  describe(`reproducible training on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('fitSke2Grid: the same seed gives identical losses and weights (dropout and Gumbel noise on)', async () => {
      const before = tf.memory().numTensors;
      const a = await run(4);
      const b = await run(4);
      expect(b.loss).toEqual(a.loss);
      expect(b.valLoss).toEqual(a.valLoss);
      expect(a.weights.length).toBeGreaterThan(0);
      a.weights.forEach((w, i) => expect(Array.from(b.weights[i])).toEqual(Array.from(w)));
      expect(tf.memory().numTensors).toBe(before);
    });

    it('fitSke2Grid: another training seed (same initial weights) gives other losses', async () => {
      const a = await run(4, 1);
      const b = await run(4, 2);
      expect(b.loss).not.toEqual(a.loss);
      // The model's own seed is the default training seed.
      const c = await run(4, 4);
      const d = await run(4);
      expect(d.loss).toEqual(c.loss);
    });

    it('trainProgressive: a seeded two-stage run repeats exactly', async () => {
      const once = async () => {
        const { x, y } = data();
        const { model, histories } = await trainProgressive(buildSke2Grid({ ...NOISY, seed: 9 }), x, y, {
          stages: [
            { gridShape: [5, 5], epochs: 2 },
            { gridShape: [6, 6], epochs: 1 },
          ],
          batchSize: 4,
        });
        const out = { losses: histories.map((h) => h.history.history.loss as number[]), weights: await weightsOf(model) };
        model.optimizer.dispose();
        model.dispose();
        tf.dispose([x, y]);
        return out;
      };
      const a = await once();
      const b = await once();
      expect(b.losses).toEqual(a.losses);
      a.weights.forEach((w, i) => expect(Array.from(b.weights[i])).toEqual(Array.from(w)));
    });

    it('fitSke2GridDataset: the dataset seed and the training seed fix a streamed run', async () => {
      const { values, labels } = data();
      const per = 2 * 8 * 17 * 3;
      const sequences: SkeletonSequence[] = labels.map((label, i) => ({
        keypoint: values.slice(i * per, (i + 1) * per),
        persons: 2,
        frames: 8,
        joints: 17,
        dims: 3,
        label,
      }));
      const once = async (seed: number) => {
        const model = buildSke2Grid({ ...NOISY, seed: 2 });
        const batches = clipBatchDataset(sequences, { clips: (s) => formatClips(s), numClasses: 3, batchSize: 4, seed: 1 });
        const history = await fitSke2GridDataset(model, batches, { epochs: 2, seed });
        model.optimizer.dispose();
        model.dispose();
        return history.history.loss as number[];
      };
      const a = await once(5);
      expect(await once(5)).toEqual(a);
      expect(await once(6)).not.toEqual(a);
    });
  });
}

describe('seeded batch order', () => {
  beforeAll(() => useBackend('cpu'));

  it('tensorBatchDataset: each epoch is a fresh seeded shuffle, batches hold the right rows', async () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(Array.from({ length: 10 }, (_, i) => [i, 10 * i]));
    const y = tf.tensor1d(Array.from({ length: 10 }, (_, i) => 100 + i));
    const epochOrder = async (dataset: ReturnType<typeof tensorBatchDataset>) => {
      const it = await dataset.iterator();
      const rows: number[][] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) {
        const xs = (await r.value.xs.array()) as number[][];
        const ys = (await r.value.ys.array()) as number[];
        xs.forEach((row, k) => expect([row[1], ys[k]]).toEqual([10 * row[0], 100 + row[0]]));
        rows.push(xs.map((row) => row[0]));
        tf.dispose([r.value.xs, r.value.ys]);
      }
      return rows;
    };
    const seeded = tensorBatchDataset(x, y, { batchSize: 4, random: createRandom(3) });
    expect(seeded.size).toBe(3);
    const first = await epochOrder(seeded);
    const second = await epochOrder(seeded);
    expect(first.map((b) => b.length)).toEqual([4, 4, 2]);
    const ids = Array.from({ length: 10 }, (_, i) => i);
    const expected = createRandom(3);
    expect(first.flat()).toEqual(shuffled(ids, expected));
    expect(second.flat()).toEqual(shuffled(ids, expected));
    expect(second.flat()).not.toEqual(first.flat());
    expect((await epochOrder(tensorBatchDataset(x, y, { batchSize: 4 }))).flat()).toEqual(ids);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('tensorBatchDataset: refuses mismatched rows and bad batch sizes', () => {
    const x = tf.zeros([4, 3]);
    const y = tf.zeros([5, 2]);
    expect(() => tensorBatchDataset(x, y)).toThrow(new Ske2GridError('y: expected as many rows as x (4), got 5'));
    expect(() => tensorBatchDataset(x, x, { batchSize: 0 })).toThrow(Ske2GridError);
    tf.dispose([x, y]);
  });

  it('trainingSeed: the option, else the model config seed, else null; bad seeds are refused', () => {
    const seeded = buildSke2Grid({ ...TINY, seed: 3 });
    const unseeded = buildSke2Grid(TINY);
    expect(trainingSeed(seeded)).toBe(3);
    expect(trainingSeed(seeded, 8)).toBe(8);
    expect(trainingSeed(unseeded)).toBeNull();
    expect(() => trainingSeed(unseeded, 1.5)).toThrow(new Ske2GridError('options.seed: expected a non-negative integer, got 1.5'));
    seeded.dispose();
    unseeded.dispose();
  });

  it('GridConvBlock: a seeded dropout source gives the same masks again, successive calls differ', () => {
    const block = new GridConvBlock({ filters: 4, dropout: 0.5, seed: 1 });
    const x = tf.ones([1, 1, 4, 2, 2, 3]);
    block.apply(x); // builds
    const masks = (seed: number) => {
      block.setDropoutRandom(createRandom(seed).uniform);
      return [0, 1].map(() => tf.tidy(() => Array.from((block.apply(x, { training: true }) as tf.Tensor).dataSync())));
    };
    const [a1, a2] = masks(7);
    const [b1, b2] = masks(7);
    expect(b1).toEqual(a1);
    expect(b2).toEqual(a2);
    expect(a2).not.toEqual(a1);
    expect(masks(8)[0]).not.toEqual(a1);
    block.dispose();
    x.dispose();
  });
});
