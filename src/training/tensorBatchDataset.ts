import * as tf from '@tensorflow/tfjs-core';
import { fail, requireInt } from '../errors.js';
import type { ClipBatchDataset } from '../data/clipBatches.js';
import { shuffled, type Random } from '../random/random.js';

/** Options of {@link tensorBatchDataset}. */
export interface TensorBatchOptions {
  /** Clips per batch; default 16 (the last batch of an epoch may be smaller). */
  batchSize?: number;
  /** Where the order of every epoch comes from; default none: the clips in their stored order every epoch. */
  random?: Random;
}

/**
 * Batches of in-memory clips `x` `[N, ...]` and labels `y` `[N, ...]` for `fitDataset`: every
 * `iterator()` call starts an epoch whose order is a fresh shuffle drawn from `options.random`
 * (or the stored order without one). Batches are gathered on demand and disposed by `fitDataset`;
 * `x` and `y` stay the caller's.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { createRandom, tensorBatchDataset } from 'ske2grid';
 * const x = tf.zeros([10, 2, 16, 17, 3]), y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
 * const batches = tensorBatchDataset(x, y, { batchSize: 4, random: createRandom(0) }); // 3 batches per epoch: 4, 4, 2 clips
 * ```
 */
export function tensorBatchDataset(x: tf.Tensor, y: tf.Tensor, options: TensorBatchOptions = {}): ClipBatchDataset {
  if (!(x instanceof tf.Tensor) || x.rank < 1) fail('x', 'a tensor [N, ...]', x);
  if (!(y instanceof tf.Tensor) || y.rank < 1) fail('y', 'a tensor [N, ...]', y);
  const n = x.shape[0];
  if (y.shape[0] !== n) fail('y', `as many rows as x (${n})`, y.shape[0]);
  if (n === 0) fail('x', 'at least one clip', 'an empty tensor');
  const batchSize = requireInt('options.batchSize', options.batchSize ?? 16, 1);
  const indices = Array.from({ length: n }, (_, i) => i);
  const random = options.random;
  return {
    size: Math.ceil(n / batchSize),
    async iterator() {
      // The order is drawn on the first batch, so an iterator that is never read (fitDataset opens
      // one before its first epoch) consumes nothing of `random`.
      let order: number[] | null = null;
      let start = 0;
      return {
        async next(): Promise<IteratorResult<{ xs: tf.Tensor; ys: tf.Tensor }>> {
          order ??= random ? shuffled(indices, random) : indices;
          if (start >= n) return { done: true, value: undefined };
          const ids = order.slice(start, start + batchSize);
          start += batchSize;
          const value = tf.tidy(() => {
            const at = tf.tensor1d(ids, 'int32');
            return { xs: tf.gather(x, at), ys: tf.gather(y, at) };
          });
          return { done: false, value };
        },
      };
    },
  };
}
