import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { StreamingRecognizer } from '../../src/deploy/streamingRecognizer.js';
import { Ske2GridError } from '../../src/errors.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { checkOneHotLabels } from '../../src/model/checkSkeletonInput.js';
import { predictLogits } from '../../src/training/evaluateSke2Grid.js';
import type { ClipBatchDataset as BatchDataset } from '../../src/data/clipBatches.js';
import { fitSke2Grid, fitSke2GridDataset } from '../../src/training/fitSke2Grid.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { SgdWithWeightDecay } from '../../src/training/sgdWithWeightDecay.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

const weightsOf = (m: { weights: { read(): tf.Tensor }[] }) => m.weights.map((w) => Array.from(w.read().dataSync()));
const clips = (n: number, seed = 1) => tf.randomNormal([n, 2, 8, 17, 3], 0, 1, 'float32', seed);
const labels = (ids: number[]) => tf.oneHot(tf.tensor1d(ids, 'int32'), 3);

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<Error> {
  const run = typeof p === 'function' ? Promise.resolve().then(p) : p;
  const e = await run.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Ske2GridError);
  return e as Error;
}

describe('fitSke2Grid / fitSke2GridDataset refuse bad data and options up front, with the model untouched', () => {
  it.each<[string, () => [tf.Tensor, tf.Tensor], Record<string, unknown>, RegExp]>([
    [
      'one NaN in x',
      () => [
        tf.tidy(() => tf.where(tf.equal(tf.reshape(tf.range(0, 4 * 2 * 8 * 17 * 3), [4, 2, 8, 17, 3]), 100), tf.fill([4, 2, 8, 17, 3], NaN), clips(4))),
        labels([0, 1, 2, 0]),
      ],
      {},
      /^x: expected finite values, got NaN at \[0, 0, 1, 16, 1\]/,
    ],
    [
      'a label out of range through tf.oneHot',
      () => [clips(4), labels([0, 1, 3, 0])],
      {},
      /^y: expected one-hot rows of 3 classes \(values in \[0, 1\], each row summing to 1\), got row 2 summing to 0 \(tf\.oneHot gives an all-zero row for a label outside \[0, 3\)\)$/,
    ],
    [
      'labels of another class count',
      () => [clips(4), tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4)],
      {},
      /^y: expected one-hot labels \[4, 3 classes\], got \[4, 4\]$/,
    ],
    [
      'wrong joint count',
      () => [tf.zeros([4, 2, 8, 25, 3]), labels([0, 1, 2, 0])],
      {},
      /^x has 25 joints per person; the model expects 17 \(layout 'coco'\): /,
    ],
    [
      'learningRate 1e6',
      () => [clips(4), labels([0, 1, 2, 0])],
      { learningRate: 1e6 },
      /^options\.learningRate: expected a learning rate in \(0, 10\], got 1000000$/,
    ],
    ['momentum 5', () => [clips(4), labels([0, 1, 2, 0])], { momentum: 5 }, /^options\.momentum: expected a momentum in \[0, 1\), got 5$/],
    ['batchSize 0', () => [clips(4), labels([0, 1, 2, 0])], { batchSize: 0 }, /^options\.batchSize: expected an integer >= 1, got 0$/],
  ])('%s', async (_, data, extra, pattern) => {
    const model = buildSke2Grid({ ...TINY, seed: 1 });
    const [x, y] = data();
    const before = weightsOf(model);
    const tensors = tf.memory().numTensors;
    expect((await errorOf(fitSke2Grid(model, x, y, { epochs: 1, batchSize: 2, ...extra }))).message).toMatch(pattern);
    expect(weightsOf(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a dataset batch with a label out of range, or a wrong shape, stops fitSke2GridDataset with the batch named', async () => {
    const model = buildSke2Grid({ ...TINY, seed: 1 });
    const batches = (bad: () => { xs: tf.Tensor; ys: tf.Tensor }): BatchDataset => ({
      size: 2,
      iterator: async () => {
        let i = 0;
        return {
          next: async () => (i++ < 2 ? { done: false, value: i === 2 ? bad() : { xs: clips(2), ys: labels([0, 1]) } } : { done: true, value: undefined }),
        };
      },
    });
    expect(
      (
        await errorOf(
          fitSke2GridDataset(
            model,
            batches(() => ({ xs: clips(2), ys: labels([0, 7]) })),
            { epochs: 1 },
          ),
        )
      ).message,
    ).toMatch(/^dataset batch 1 ys: expected one-hot rows of 3 classes .*got row 1 summing to 0/);
    expect(
      (
        await errorOf(
          fitSke2GridDataset(
            model,
            batches(() => ({ xs: tf.zeros([2, 1, 8, 17, 3]), ys: labels([0, 1]) })),
            { epochs: 1 },
          ),
        )
      ).message,
    ).toMatch(/^dataset batch 1 xs: expected \[batch, 2 persons, 8 frames, 17 joints \(layout 'coco'\), 3 channels\], got \[2, 1, 8, 17, 3\]$/);
    model.dispose();
  });

  it('a loss that becomes non-finite stops training with a Ske2GridError and restores the last good weights', async () => {
    const model = buildSke2Grid({ ...TINY, seed: 1 });
    const x = clips(4);
    const y = labels([0, 1, 2, 0]);
    // A user callback that poisons one weight after the first batch: the second batch's loss is NaN.
    // The last weights that gave a finite loss are those the first batch started from: the initial ones.
    let batches = 0;
    const initial = weightsOf(model);
    const poison = new (class extends tfl.Callback {
      override async onBatchEnd(): Promise<void> {
        if (++batches === 1) {
          const w = model.getLayer('classifier').weights[0];
          w.write(tf.fill(w.shape as number[], NaN));
        }
      }
    })();
    const error = await errorOf(fitSke2Grid(model, x, y, { epochs: 3, batchSize: 2, shuffle: false, callbacks: [poison] }));
    expect(error.message).toBe(
      'fitSke2Grid loss: expected a finite training loss, got NaN at epoch 1, batch 2; training stopped and the last weights that gave a finite loss restored (lower options.learningRate?)',
    );
    expect(batches).toBe(2); // stopped at once
    expect(weightsOf(model)).toEqual(initial);
    const logits = model.predict(x) as tf.Tensor;
    expect(tf.tidy(() => tf.all(tf.isFinite(logits)).dataSync()[0])).toBe(1);
    tf.dispose([x, y, logits]);
    model.dispose();
  });
});

describe('predict, predictLogits, SgdWithWeightDecay, StreamingRecognizer: bad arguments are Ske2GridErrors', () => {
  it('model.predict with a wrong shape or an empty batch names the expected shape', async () => {
    const model = buildSke2Grid(TINY);
    const expected = "x: expected [batch, 2 persons, 8 frames, 17 joints (layout 'coco'), 3 channels], got";
    expect((await errorOf(() => model.predict(tf.zeros([0, 2, 8, 17, 3])))).message).toBe(`${expected} [0, 2, 8, 17, 3]`);
    expect((await errorOf(() => model.predict(tf.zeros([1, 2, 8, 25, 3])))).message).toBe(`${expected} [1, 2, 8, 25, 3]`);
    expect((await errorOf(() => model.predict(tf.zeros([2, 8, 17, 3])))).message).toBe(`${expected} [2, 8, 17, 3]`);
    expect((await errorOf(model.fit(tf.zeros([2, 2, 9, 17, 3]), labels([0, 1])))).message).toBe(`${expected} [2, 2, 9, 17, 3]`);
    model.dispose();
  });

  it('predictLogits with batch size 0 (an endless loop before) or NaN input', async () => {
    const model = buildSke2Grid(TINY);
    const x = clips(2);
    expect((await errorOf(predictLogits(model, x, 0))).message).toBe('batchSize: expected an integer >= 1, got 0');
    expect((await errorOf(predictLogits(model, x, -3))).message).toBe('batchSize: expected an integer >= 1, got -3');
    const bad = tf.fill([1, 2, 8, 17, 3], Infinity);
    expect((await errorOf(predictLogits(model, bad))).message).toMatch(/^x: expected finite values, got Infinity at \[0, 0, 0, 0, 0\]/);
    tf.dispose([x, bad]);
    model.dispose();
  });

  it('SgdWithWeightDecay refuses momentum >= 1; checkOneHotLabels accepts proper labels', async () => {
    expect((await errorOf(() => new SgdWithWeightDecay({ momentum: 5 }))).message).toBe('SgdWithWeightDecay momentum: expected a momentum in [0, 1), got 5');
    const model = buildSke2Grid(TINY);
    const y = labels([0, 2, 1]);
    expect(() => checkOneHotLabels(model, y, 'y', 3)).not.toThrow();
    const soft = tf.tensor2d([[0.2, 0.3, 0.5]]);
    expect(() => checkOneHotLabels(model, soft)).not.toThrow(); // label smoothing style rows still sum to 1
    const negative = tf.tensor2d([[1.5, -0.5, 0]]);
    expect((await errorOf(() => checkOneHotLabels(model, negative))).message).toBe(
      'y: expected one-hot rows of 3 classes (values in [0, 1], each row summing to 1), got row 0 holding a value outside [0, 1] or not finite',
    );
    tf.dispose([y, soft, negative]);
    model.dispose();
  });

  it('StreamingRecognizer with windowFrames 1e8 is refused with the limit named, before any buffer is allocated', async () => {
    const model = buildSke2Grid({ ...TINY, frames: null });
    expect((await errorOf(() => new StreamingRecognizer(model, { windowFrames: 1e8 }))).message).toBe(
      'options.windowFrames: expected an integer in [1, 10000] (LIMITS.maxWindowFrames), got 100000000',
    );
    model.dispose();
  });
});
