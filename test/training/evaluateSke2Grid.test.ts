import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { evaluateSke2Grid, predictLogits } from '../../src/training/evaluateSke2Grid.js';
import { softmax, topKAccuracy } from '../../src/training/metrics.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

describe('evaluateSke2Grid', () => {
  it('predicts in batches and scores with the reference metrics, single- and multi-clip', async () => {
    const model = buildSke2Grid(TINY);
    const a = tf.randomNormal([5, 2, 8, 17, 3]);
    const b = tf.randomNormal([5, 2, 8, 17, 3]);
    const labels = [0, 1, 2, 1, 0];
    const before = tf.memory().numTensors;
    const la = await predictLogits(model, a, 2);
    const fullT = model.predict(a) as tf.Tensor;
    const full = (await fullT.array()) as number[][];
    fullT.dispose();
    la.forEach((row, i) => row.forEach((v, k) => expect(v).toBeCloseTo(full[i][k], 5)));
    const single = await evaluateSke2Grid(model, a, labels, { batchSize: 2, topK: [1, 2] });
    expect(single.top[1]).toBe(topKAccuracy(la, labels, 1));
    expect(single.confusion.flat().reduce((s, v) => s + v, 0)).toBe(5);
    const lb = await predictLogits(model, b, 5);
    const averaged = la.map((row, i) => softmax(row).map((p, k) => (p + softmax(lb[i])[k]) / 2));
    const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3));
    const multi = await evaluateSke2Grid(model, [a, b], oneHot);
    oneHot.dispose();
    expect(multi.top[1]).toBe(topKAccuracy(averaged, labels, 1));
    expect(tf.memory().numTensors).toBe(before);
    await expect(evaluateSke2Grid(model, [a, tf.zeros([2, 2, 8, 17, 3])], labels)).rejects.toThrow(
      /clips: expected one tensor or clips with the same number of samples/,
    );
    model.dispose();
  });
});
