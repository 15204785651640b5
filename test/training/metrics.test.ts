import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import {
  argmax,
  averageClipScores,
  confusionMatrix,
  evaluateScores,
  labelsFromTensor,
  meanClassAccuracy,
  scoresFromTensor,
  softmax,
  topKAccuracy,
} from '../../src/training/metrics.js';
import { useBackend } from '../helpers/backends.js';

const closeRows = (got: number[][], want: number[][]) => {
  expect(got.length).toBe(want.length);
  got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 12)));
};

describe('topKAccuracy (PYSKL top_k_accuracy)', () => {
  // Descending order with ties broken towards the higher class index (NumPy argsort(...)[-k:][::-1]):
  // row 0: 1 > 2 > 0         label 1 -> rank 0
  // row 1: 0 > 1 > 2         label 2 -> rank 2
  // row 2: 2 > 1 > 0 (tie)   label 0 -> rank 2
  // row 3: 1 > 2 > 0 (tie)   label 2 -> rank 1
  const scores = [
    [0.1, 0.7, 0.2],
    [0.5, 0.3, 0.2],
    [0.2, 0.2, 0.6],
    [0.3, 0.4, 0.3],
  ];
  const labels = [1, 2, 0, 2];

  it('counts a hit when the label is among the k highest scores', () => {
    expect(topKAccuracy(scores, labels, 1)).toBe(1 / 4);
    expect(topKAccuracy(scores, labels, 2)).toBe(2 / 4);
    expect(topKAccuracy(scores, labels, 3)).toBe(1);
  });

  it('ranks the higher class index first among equal scores', () => {
    expect(topKAccuracy([[1, 1, 0]], [1], 1)).toBe(1);
    expect(topKAccuracy([[1, 1, 0]], [0], 1)).toBe(0);
    expect(topKAccuracy([[1, 1, 0]], [0], 2)).toBe(1);
    // All equal: the top 3 of 4 are classes 3, 2, 1.
    expect(topKAccuracy([[0.5, 0.5, 0.5, 0.5]], [0], 3)).toBe(0);
    expect(topKAccuracy([[0.5, 0.5, 0.5, 0.5]], [1], 3)).toBe(1);
    expect(topKAccuracy([[0.5, 0.5, 0.5, 0.5]], [0], 4)).toBe(1);
  });

  it('makes every sample a hit when k is at least the number of classes', () => {
    expect(topKAccuracy(scores, labels, 3)).toBe(1);
    expect(topKAccuracy(scores, labels, 10)).toBe(1);
  });

  it('accepts typed arrays', () => {
    const typed = scores.map((r) => Float32Array.from(r));
    expect(topKAccuracy(typed, Int32Array.from(labels), 2)).toBe(0.5);
  });
});

describe('meanClassAccuracy (PYSKL mean_class_accuracy)', () => {
  // predictions (argmax) [0, 2, 1, 1], labels [0, 0, 1, 1]; class 3 neither occurs nor is predicted.
  const scores = [
    [0.9, 0.05, 0.03, 0.02],
    [0.1, 0.2, 0.6, 0.1],
    [0.1, 0.8, 0.05, 0.05],
    [0.2, 0.5, 0.2, 0.1],
  ];
  const labels = [0, 0, 1, 1];

  it('averages over the union of true and predicted classes, a class only predicted counting 0', () => {
    // class 0: 1/2, class 1: 2/2, class 2 (only predicted): 0 -> (0.5 + 1 + 0) / 3; class 3 left out.
    expect(meanClassAccuracy(scores, labels)).toBeCloseTo(0.5, 12);
  });

  it('equals top-1 accuracy when every class is balanced and predicted only when present', () => {
    expect(
      meanClassAccuracy(
        [
          [1, 0],
          [0, 1],
          [1, 0],
          [1, 0],
        ],
        [0, 1, 0, 1],
      ),
    ).toBeCloseTo((1 + 0.5) / 2, 12);
  });

  it('predicts the FIRST maximum (NumPy argmax), unlike the top-k tie rule', () => {
    expect(argmax([0.4, 0.4, 0.2])).toBe(0);
    expect(meanClassAccuracy([[0.4, 0.4, 0.2]], [0])).toBe(1);
    // Label 1: prediction 0 is only predicted (0), class 1 is missed (0/1).
    expect(meanClassAccuracy([[0.4, 0.4, 0.2]], [1])).toBe(0);
    // ...while top-1 (argsort) ranks class 1 first among the tie.
    expect(topKAccuracy([[0.4, 0.4, 0.2]], [1], 1)).toBe(1);
  });
});

describe('confusionMatrix', () => {
  it('counts true class (row) against predicted class (column)', () => {
    expect(confusionMatrix([0, 2, 1, 1], [0, 0, 1, 1], 4)).toEqual([
      [1, 0, 1, 0],
      [0, 2, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(confusionMatrix([], [], 2)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});

describe('softmax and averageClipScores', () => {
  it('softmax is exact on a hand example and stable for large logits', () => {
    closeRows([softmax([0, Math.log(3)])], [[0.25, 0.75]]);
    closeRows([softmax([1000, 1000 + Math.log(3)])], [[0.25, 0.75]]);
    closeRows([softmax([-1000, -1000])], [[0.5, 0.5]]);
    closeRows([softmax([Math.log(2), Math.log(2), 0])], [[0.4, 0.4, 0.2]]);
  });

  it('averages the per-clip softmax over the clips of each sample', () => {
    const l3 = Math.log(3);
    const averaged = averageClipScores([
      // [0.25, 0.75] and [0.75, 0.25] -> [0.5, 0.5]
      [
        [0, l3],
        [l3, 0],
      ],
      // [0.5, 0.5] and [0.25, 0.75] -> [0.375, 0.625]
      [
        [5, 5],
        [0, l3],
      ],
      // one clip: its softmax
      [[0, l3]],
    ]);
    closeRows(averaged, [
      [0.5, 0.5],
      [0.375, 0.625],
      [0.25, 0.75],
    ]);
    // Probabilities are averaged, not logits: softmax [0.5, 0.5] and [0.1, 0.9] -> [0.3, 0.7]
    // (the softmax of the mean logits [0, l3] would be [0.25, 0.75]).
    closeRows(
      averageClipScores([
        [
          [0, 0],
          [0, 2 * l3],
        ],
      ]),
      [[(0.5 + 0.1) / 2, (0.5 + 0.9) / 2]],
    );
  });
});

describe('evaluateScores', () => {
  it('reports top-1/top-5 (default), mean class accuracy and the confusion matrix', () => {
    const scores = [
      [0.1, 0.7, 0.2],
      [0.5, 0.3, 0.2],
      [0.2, 0.2, 0.6],
      [0.3, 0.4, 0.3],
    ];
    const r = evaluateScores(scores, [1, 2, 0, 2]);
    expect(Object.keys(r.top).map(Number)).toEqual([1, 5]);
    expect(r.top[1]).toBe(0.25);
    expect(r.top[5]).toBe(1);
    // predictions [1, 0, 2, 1]: classes 0 (0/1), 1 (1/1), 2 (0/2) -> 1/3
    expect(r.meanClassAccuracy).toBeCloseTo(1 / 3, 12);
    expect(r.confusion).toEqual([
      [0, 0, 1],
      [0, 1, 0],
      [1, 1, 0],
    ]);
    expect(evaluateScores(scores, [1, 2, 0, 2], { topK: [2, 3] }).top).toEqual({ 2: 0.5, 3: 1 });
  });
});

describe('input validation', () => {
  const err = (f: () => unknown, pattern: RegExp) => {
    expect(f).toThrow(Ske2GridError);
    expect(f).toThrow(pattern);
  };

  it('names the argument, the expectation and what came', () => {
    err(() => topKAccuracy([[0, 1]], [0, 1], 1), /^labels: expected 1 labels \(one per row of scores\), got 2$/);
    err(() => topKAccuracy([[0, 1]], [1.5], 1), /labels\[0\]: expected an integer class index in \[0, 1\], got 1\.5/);
    err(() => topKAccuracy([[0, 1]], [2], 1), /labels\[0\]: expected an integer class index in \[0, 1\], got 2/);
    err(() => meanClassAccuracy([[0, 1]], [-1]), /labels\[0\]: expected an integer class index/);
    err(() => topKAccuracy([[0, NaN]], [0], 1), /scores\[0\]\[1\]: expected a finite number, got NaN/);
    err(
      () =>
        evaluateScores(
          [
            [0, 1],
            [Infinity, 0],
          ],
          [0, 0],
        ),
      /scores\[1\]\[0\]: expected a finite number, got Infinity/,
    );
    err(
      () =>
        topKAccuracy(
          [
            [0, 1],
            [0, 1, 2],
          ],
          [0, 0],
          1,
        ),
      /scores\[1\]: expected 2 class scores \(as scores\[0\]\), got 3/,
    );
    err(() => topKAccuracy([], [], 1), /scores: expected a non-empty array/);
    err(() => topKAccuracy([[]], [0], 1), /scores\[0\]: expected a non-empty row/);
    err(() => topKAccuracy([[0, 1]], [0], 0), /k: expected an integer >= 1, got 0/);
    err(() => topKAccuracy([[0, 1]], [0], 1.5), /k: expected an integer >= 1, got 1\.5/);
    err(() => evaluateScores([[0, 1]], [0], { topK: [1, 0] }), /options\.topK\[1\]: expected an integer >= 1, got 0/);
    err(() => confusionMatrix([0], [0, 1], 2), /labels: expected 1 labels \(one per prediction\), got 2/);
    err(() => confusionMatrix([3], [0], 2), /predictions\[0\]: expected an integer class index in \[0, 1\], got 3/);
    err(() => confusionMatrix([0], [0], 0), /numClasses: expected an integer >= 1, got 0/);
    err(() => softmax([]), /row: expected a non-empty row/);
    err(() => softmax([1, -Infinity]), /row\[1\]: expected a finite number, got -Infinity/);
    err(() => averageClipScores([]), /clipScores: expected a non-empty array/);
    err(() => averageClipScores([[[0, 1]], []]), /clipScores\[1\]: expected a non-empty array of clips/);
    err(() => averageClipScores([[[0, 1]], [[0, 1, 2]]]), /clipScores\[1\]\[0\]: expected 2 class logits \(as clipScores\[0\]\[0\]\), got 3/);
  });
});

describe('tensor helpers', () => {
  beforeAll(() => useBackend('cpu'));

  it('read score rows and labels (indices or one-hot) without disposing or leaking', async () => {
    const before = tf.memory().numTensors;
    const s = tf.tensor2d([
      [0.1, 0.9],
      [0.8, 0.2],
    ]);
    const oneHot = tf.tensor2d([
      [0, 1],
      [0, 1],
    ]);
    const idx = tf.tensor1d([1, 1], 'int32');
    const rows = await scoresFromTensor(s);
    expect(rows.map((r) => r.map((v) => Math.round(v * 10) / 10))).toEqual([
      [0.1, 0.9],
      [0.8, 0.2],
    ]);
    expect(await labelsFromTensor(oneHot)).toEqual([1, 1]);
    expect(await labelsFromTensor(idx)).toEqual([1, 1]);
    expect(evaluateScores(rows, await labelsFromTensor(idx), { topK: [1] }).top[1]).toBe(0.5);
    await expect(scoresFromTensor(idx)).rejects.toThrow(/scores: expected a rank-2 tensor \[samples, classes\], got \[2\]/);
    const scalar = tf.scalar(1);
    await expect(labelsFromTensor(scalar)).rejects.toThrow(Ske2GridError);
    tf.dispose([s, oneHot, idx, scalar]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
