import type { Tensor } from '@tensorflow/tfjs-core';
import { fail, requireInt } from '../errors.js';

/** Class scores, one row per sample: `[samples][classes]` (logits or probabilities; plain arrays or typed arrays). */
export type ScoreRows = ArrayLike<number>[] | number[][];

/** The k values of top-k accuracy computed when `topK` is not given. */
export type DefaultTopK = 1 | 5;

/** Options of {@link evaluateScores}; `K` is the union of the k values asked for. */
export interface EvaluateScoresOptions<K extends number = DefaultTopK> {
  /** The k of each top-k accuracy; default `[1, 5]`. */
  topK?: readonly K[];
}

/**
 * Result of {@link evaluateScores}. `top` has exactly the keys asked for, so `top[1]` and `top[5]`
 * are numbers (not `number | undefined`) under `noUncheckedIndexedAccess` when the k values are
 * literals (`topK: [1, 3]` gives `top: { 1: number; 3: number }`).
 */
export interface ScoreEvaluation<K extends number = DefaultTopK> {
  /** Top-k accuracy in [0, 1] keyed by k. */
  top: Record<K, number>;
  /** Mean class accuracy in [0, 1] (see {@link meanClassAccuracy}). */
  meanClassAccuracy: number;
  /** `[classes][classes]` counts, rows = true class, columns = predicted class (argmax). */
  confusion: number[][];
}

/**
 * Top-k accuracy in [0, 1] as the reference (PYSKL `top_k_accuracy`) computes it: a sample is a hit
 * if its label is among the k highest of its scores `[samples][classes]`; mean over samples. Ties
 * follow NumPy's `argsort(scores)[-k:]` with a stable sort: among equal scores the one with the
 * HIGHER class index ranks higher. `k >= classes` makes every sample a hit. `k` integer >= 1.
 *
 * @example
 * ```ts
 * import { topKAccuracy } from 'ske2grid';
 * const scores = [[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]; // [samples][classes]
 * topKAccuracy(scores, [1, 2], 1); // 0.5: sample 1's top class is 0, not 2
 * topKAccuracy(scores, [1, 2], 3); // 1
 * ```
 */
export function topKAccuracy(scores: ScoreRows, labels: ArrayLike<number>, k: number): number {
  const classes = checkScores(scores, labels);
  requireInt('k', k, 1);
  let hits = 0;
  for (let i = 0; i < scores.length; i++) {
    const row = scores[i];
    const label = labels[i];
    const s = row[label];
    // Rank of the label (0 = first) in the descending order "score, then higher index first".
    let rank = 0;
    for (let j = 0; j < classes && rank < k; j++) {
      if (row[j] > s || (row[j] === s && j > label)) rank++;
    }
    if (rank < k) hits++;
  }
  return hits / scores.length;
}

/**
 * Mean class accuracy in [0, 1] as the reference (PYSKL `mean_class_accuracy`) computes it:
 * predictions are the argmax of each row of `scores` `[samples][classes]` (first maximum, as NumPy);
 * the classes are the UNION of the predicted and the true labels that occur; the result is the mean
 * over those classes of hits / samples of that class. A class that is only predicted (no sample has
 * it as label) counts with accuracy 0, as in the reference; classes that neither occur nor are
 * predicted are left out.
 *
 * @example
 * ```ts
 * import { meanClassAccuracy } from 'ske2grid';
 * const scores = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]]; // argmax: 0, 0, 1
 * meanClassAccuracy(scores, [0, 1, 1]); // 0.75 = mean(class 0: 1/1, class 1: 1/2)
 * ```
 */
export function meanClassAccuracy(scores: ScoreRows, labels: ArrayLike<number>): number {
  checkScores(scores, labels);
  const predictions = scores.map((row) => argmax(row));
  const total = new Map<number, number>();
  const hits = new Map<number, number>();
  for (let i = 0; i < predictions.length; i++) {
    const label = labels[i];
    if (!total.has(predictions[i])) total.set(predictions[i], 0);
    total.set(label, (total.get(label) ?? 0) + 1);
    if (predictions[i] === label) hits.set(label, (hits.get(label) ?? 0) + 1);
  }
  let sum = 0;
  for (const [c, count] of total) sum += count > 0 ? (hits.get(c) ?? 0) / count : 0;
  return sum / total.size;
}

/**
 * Confusion matrix `[numClasses][numClasses]` of counts: entry `[t][p]` counts samples with true
 * class t (row) and predicted class p (column). `predictions` and `labels` are integer class
 * indices in `[0, numClasses)` of equal length (empty gives all zeros).
 *
 * @example
 * ```ts
 * import { confusionMatrix } from 'ske2grid';
 * confusionMatrix([0, 0, 1], [0, 1, 1], 2); // [[1, 0], [1, 1]]: rows true class, columns predicted
 * ```
 */
export function confusionMatrix(predictions: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[][] {
  requireInt('numClasses', numClasses, 1);
  checkLength('predictions', predictions);
  checkLength('labels', labels);
  if (predictions.length !== labels.length) {
    fail('labels', `${predictions.length} labels (one per prediction)`, labels.length);
  }
  checkClassIndices('predictions', predictions, numClasses);
  checkClassIndices('labels', labels, numClasses);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]][predictions[i]]++;
  return matrix;
}

/**
 * Index of the first maximum of a non-empty row of finite numbers (NumPy `argmax`).
 *
 * @example
 * ```ts
 * import { argmax } from 'ske2grid';
 * argmax([0.2, 0.9, 0.9]); // 1 (the first maximum)
 * ```
 */
export function argmax(row: ArrayLike<number>): number {
  checkRow('row', row);
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

/**
 * Numerically stable softmax of a non-empty row of finite logits `[classes]` -> probabilities `[classes]`.
 *
 * @example
 * ```ts
 * import { softmax } from 'ske2grid';
 * softmax([0, Math.log(3)]); // [0.25, 0.75]
 * ```
 */
export function softmax(row: ArrayLike<number>): number[] {
  checkRow('row', row);
  return softmaxUnchecked(row);
}

/**
 * Multi-clip test scores: softmax of each clip's logits, then the mean over the clips of each
 * sample (the reference `average_clips='prob'`). `clipScores` `[samples][clips][classes]` (every
 * sample at least one clip, the same number of classes everywhere) -> `[samples][classes]`.
 *
 * @example
 * ```ts
 * import { averageClipScores } from 'ske2grid';
 * // 1 sample, 2 clips, 2 classes: softmax per clip ([0.5, 0.5] and [0.25, 0.75]), then the mean
 * averageClipScores([[[0, 0], [0, Math.log(3)]]]); // [[0.375, 0.625]]
 * ```
 */
export function averageClipScores(clipScores: number[][][]): number[][] {
  if (!Array.isArray(clipScores) || clipScores.length === 0) fail('clipScores', 'a non-empty array [samples][clips][classes]', clipScores);
  let classes = -1;
  return clipScores.map((clips, i) => {
    if (!Array.isArray(clips) || clips.length === 0) fail(`clipScores[${i}]`, 'a non-empty array of clips [clips][classes]', clips);
    let sum: number[] = [];
    clips.forEach((logits, c) => {
      const arg = `clipScores[${i}][${c}]`;
      checkRow(arg, logits);
      if (classes < 0) classes = logits.length;
      if (logits.length !== classes) fail(arg, `${classes} class logits (as clipScores[0][0])`, logits.length);
      const p = softmaxUnchecked(logits);
      sum = c === 0 ? p : sum.map((v, j) => v + p[j]);
    });
    return sum.map((v) => v / clips.length);
  });
}

/**
 * Evaluates scores `[samples][classes]` against integer labels `[samples]`: top-k accuracies
 * (default k = 1 and 5, see {@link topKAccuracy}), {@link meanClassAccuracy} and the
 * `[classes][classes]` {@link confusionMatrix} of the argmax predictions.
 *
 * @example
 * ```ts
 * import { evaluateScores } from 'ske2grid';
 * const { top, meanClassAccuracy, confusion } = evaluateScores([[2, 1, 0], [0, 1, 2]], [0, 1], { topK: [1, 2] });
 * // top {1: 0.5, 2: 1}, meanClassAccuracy 0.333 (classes 0, 1, 2: 1, 0, 0), confusion [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
 * ```
 */
export function evaluateScores<K extends number = DefaultTopK>(
  scores: ScoreRows,
  labels: ArrayLike<number>,
  options: EvaluateScoresOptions<K> = {},
): ScoreEvaluation<K> {
  const classes = checkScores(scores, labels);
  const ks: readonly number[] = options.topK ?? [1, 5];
  if (!Array.isArray(ks)) fail('options.topK', 'an array of integers >= 1', ks);
  ks.forEach((k, i) => requireInt(`options.topK[${i}]`, k, 1));
  const top = {} as Record<K, number>;
  for (const k of ks) top[k as K] = topKAccuracy(scores, labels, k);
  return {
    top,
    meanClassAccuracy: meanClassAccuracy(scores, labels),
    confusion: confusionMatrix(
      scores.map((row) => argmax(row)),
      labels,
      classes,
    ),
  };
}

/**
 * Reads a rank-2 score tensor `[samples][classes]` into plain rows (the tensor is not disposed).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { scoresFromTensor } from 'ske2grid';
 * const logits = tf.tensor2d([[1, 2], [3, 4]]);
 * await scoresFromTensor(logits); // [[1, 2], [3, 4]]
 * ```
 */
export async function scoresFromTensor(scores: Tensor): Promise<number[][]> {
  if (scores.rank !== 2) fail('scores', 'a rank-2 tensor [samples, classes]', scores.shape);
  return (await scores.array()) as number[][];
}

/**
 * Reads labels from a tensor: rank 1 `[samples]` class indices, or rank 2 `[samples, classes]`
 * one-hot / probabilities (argmax per row). The tensor is not disposed.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { labelsFromTensor } from 'ske2grid';
 * await labelsFromTensor(tf.tensor1d([2, 0], 'int32')); // [2, 0]
 * await labelsFromTensor(tf.tensor2d([[0, 0, 1], [1, 0, 0]])); // [2, 0] (argmax of one-hot rows)
 * ```
 */
export async function labelsFromTensor(labels: Tensor): Promise<number[]> {
  if (labels.rank === 1) return (await labels.array()) as number[];
  if (labels.rank === 2) return ((await labels.array()) as number[][]).map((row, i) => (checkRow(`labels[${i}]`, row), argmax(row)));
  return fail('labels', 'a rank-1 tensor [samples] of class indices or a rank-2 one-hot tensor [samples, classes]', labels.shape);
}

function softmaxUnchecked(row: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let j = 0; j < row.length; j++) if (row[j] > max) max = row[j];
  const e = Array.from(row, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Checks scores `[samples][classes]` (non-empty, rectangular, finite) and one label per row in range; returns the number of classes. */
function checkScores(scores: ScoreRows, labels: ArrayLike<number>): number {
  if (!Array.isArray(scores) || scores.length === 0) fail('scores', 'a non-empty array of score rows [samples][classes]', scores);
  let classes = -1;
  scores.forEach((row, i) => {
    checkRow(`scores[${i}]`, row);
    if (classes < 0) classes = row.length;
    if (row.length !== classes) fail(`scores[${i}]`, `${classes} class scores (as scores[0])`, row.length);
  });
  checkLength('labels', labels);
  if (labels.length !== scores.length) fail('labels', `${scores.length} labels (one per row of scores)`, labels.length);
  checkClassIndices('labels', labels, classes);
  return classes;
}

function checkLength(arg: string, values: ArrayLike<number>): void {
  if (values == null || typeof values !== 'object' || typeof values.length !== 'number') fail(arg, 'an array of numbers', values);
}

/** Checks a non-empty row of finite numbers. */
function checkRow(arg: string, row: ArrayLike<number>): void {
  checkLength(arg, row);
  if (row.length === 0) fail(arg, 'a non-empty row of numbers', []);
  for (let j = 0; j < row.length; j++) {
    const v = row[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${arg}[${j}]`, 'a finite number', v);
  }
}

function checkClassIndices(arg: string, values: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= classes) {
      fail(`${arg}[${i}]`, `an integer class index in [0, ${classes - 1}]`, v);
    }
  }
}
