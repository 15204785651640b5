import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { fail, requireInt } from '../errors.js';
import { checkSkeletonInputAsync } from '../model/checkSkeletonInput.js';
import { averageClipScores, evaluateScores, labelsFromTensor, scoresFromTensor, type DefaultTopK, type ScoreEvaluation } from './metrics.js';

/** Options of {@link evaluateSke2Grid}; `K` is the union of the k values asked for. */
export interface EvaluateOptions<K extends number = DefaultTopK> {
  /** Clips per forward pass; default 16. */
  batchSize?: number;
  /** k values of top-k accuracy; default [1, 5] (the result's `top` then has the keys 1 and 5). */
  topK?: readonly K[];
}

/**
 * Logits of `x` (`[N, ...]`, checked with {@link checkSkeletonInput}: shape and finite values) as rows,
 * predicted in batches of `batchSize` (an integer >= 1, default 16).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { buildSke2Grid, predictLogits } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 10, frames: 32 });
 * const rows = await predictLogits(model, tf.zeros([40, 2, 32, 17, 3]), 8); // 40 rows of 10 logits, 5 passes
 * ```
 */
export async function predictLogits(model: LayersModel, x: tf.Tensor, batchSize = 16): Promise<number[][]> {
  requireInt('batchSize', batchSize, 1);
  await checkSkeletonInputAsync(model, x, 'x');
  const rows: number[][] = [];
  for (let start = 0; start < x.shape[0]; start += batchSize) {
    const size = Math.min(batchSize, x.shape[0] - start);
    const logits = tf.tidy(() => model.predict(tf.slice(x, start, size)) as tf.Tensor);
    rows.push(...(await scoresFromTensor(logits)));
    logits.dispose();
  }
  return rows;
}

/**
 * Evaluates a model with the reference metrics (top-k accuracy, mean class accuracy, confusion
 * matrix). `clips` is one `[N, M, T, V, C]` tensor, or several (the multi-clip test: softmax
 * scores averaged over clips). `labels` are class indices `[N]` or one-hot `[N, K]`.
 *
 * @example
 * ```ts
 * import type * as tf from '@tensorflow/tfjs-core';
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { evaluateSke2Grid } from 'ske2grid';
 * declare const model: LayersModel, xTest: tf.Tensor, labels: number[]; // [N, M, T, V, C], [N]
 * const { top, meanClassAccuracy, confusion } = await evaluateSke2Grid(model, xTest, labels); // topK [1, 5], batchSize 16
 * console.log(`top-1 ${top[1]}, top-5 ${top[5]}, mean class ${meanClassAccuracy}`);
 * ```
 */
export async function evaluateSke2Grid<K extends number = DefaultTopK>(
  model: LayersModel,
  clips: tf.Tensor | tf.Tensor[],
  labels: tf.Tensor | ArrayLike<number>,
  options: EvaluateOptions<K> = {},
): Promise<ScoreEvaluation<K>> {
  const views = Array.isArray(clips) ? clips : [clips];
  if (views.length === 0 || views.some((v) => v.shape[0] !== views[0].shape[0])) {
    fail(
      'clips',
      'one tensor or clips with the same number of samples',
      views.map((v) => v.shape),
    );
  }
  const perClip = await Promise.all(views.map((v) => predictLogits(model, v, options.batchSize)));
  const scores = views.length === 1 ? perClip[0] : averageClipScores(perClip[0].map((_, i) => perClip.map((c) => c[i])));
  const y = labels instanceof tf.Tensor ? await labelsFromTensor(labels) : Array.from(labels);
  return evaluateScores<K>(scores, y, { topK: options.topK });
}
