import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { CosineDecay, cosineLearningRate } from '../../src/training/cosineDecay.js';
import { logitsCrossEntropy } from '../../src/training/fitSke2Grid.js';
import { formatProgress, ProgressReporter, type ProgressState } from '../../src/training/progress.js';
import { SgdWithWeightDecay } from '../../src/training/sgdWithWeightDecay.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

describe('cosineLearningRate (mmcv CosineAnnealing by iteration, min 0)', () => {
  it('matches the reference formula at chosen iterations of K = 50,400', () => {
    const K = 50_400;
    expect(cosineLearningRate(0, K, 0.05)).toBe(0.05);
    expect(cosineLearningRate(K / 2, K, 0.05)).toBeCloseTo(0.025, 12);
    expect(cosineLearningRate(K / 4, K, 0.05)).toBeCloseTo(0.5 * 0.05 * (1 + Math.SQRT1_2), 12);
    expect(cosineLearningRate(3150, K, 0.05)).toBeCloseTo(0.025 * (1 + Math.cos(Math.PI / 16)), 12);
    expect(cosineLearningRate(K, K, 0.05)).toBeCloseTo(0, 12);
    expect(cosineLearningRate(10, 20, 0.1, 0.01)).toBeCloseTo(0.055, 12);
  });
  it('rejects an empty schedule', () => {
    expect(() => cosineLearningRate(0, 0, 0.05)).toThrow(/totalSteps/);
  });
});

describe('SgdWithWeightDecay', () => {
  it('applies PyTorch SGD: buf = m*buf + (g + wd*p); p -= lr*(g + wd*p + m*buf) (Nesterov)', () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const opt = new SgdWithWeightDecay({ learningRate: 0.1, momentum: 0.9, weightDecay: 0.01 });
    const grad = [0.5, 0.25];
    let buf = [0, 0];
    let ref = [1, -2];
    for (let step = 0; step < 3; step++) {
      opt.applyGradients([{ name: p.name, tensor: tf.tensor1d(grad) }]);
      const d = grad.map((g, i) => g + 0.01 * ref[i]);
      buf = buf.map((b, i) => 0.9 * b + d[i]);
      ref = ref.map((v, i) => v - 0.1 * (d[i] + 0.9 * buf[i]));
    }
    Array.from(p.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 6));
    opt.dispose();
    p.dispose();
  });
});

describe('CosineDecay in fit', () => {
  it('sets the learning rate before every batch over epochs x batches', async () => {
    const model = buildSke2Grid(TINY);
    const opt = new SgdWithWeightDecay({ learningRate: 0.05 });
    model.compile({ optimizer: opt, loss: logitsCrossEntropy });
    const x = tf.randomNormal([6, 2, 8, 17, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    const decay = new CosineDecay({ baseLearningRate: 0.05 });
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [decay] });
    expect(decay.history.length).toBe(6);
    decay.history.forEach((lr, k) => expect(lr).toBeCloseTo(cosineLearningRate(k, 6, 0.05), 12));
    expect(opt.getLearningRate()).toBeCloseTo(decay.history[5], 12);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('progress reporting', () => {
  it('reports loss, accuracy, samples/s and ETA per batch and epoch', async () => {
    const model = buildSke2Grid(TINY);
    model.compile({ optimizer: tf.train.sgd(0.01), loss: logitsCrossEntropy, metrics: ['accuracy'] });
    const x = tf.randomNormal([4, 2, 8, 17, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
    const states: ProgressState[] = [];
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [new ProgressReporter((s) => states.push(s))] });
    expect(states.length).toBe(2 * 2 + 2);
    const last = states[states.length - 1];
    expect(last.epochLogs?.loss).toBeGreaterThan(0);
    expect(last.batchesPerEpoch).toBe(2);
    expect(states[0].etaSeconds).toBeGreaterThan(0);
    expect(last.samplesPerSecond).toBeGreaterThan(0);
    const line = formatProgress(states[3]);
    expect(line).toMatch(/^epoch 2\/2 \[.*\] loss \d+\.\d{4} acc \d+\.\d% \d+\.\d samples\/s ETA/);
    tf.dispose([x, y]);
    model.dispose();
  });
});
