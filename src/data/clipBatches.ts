import * as tf from '@tensorflow/tfjs-core';
import { describe, fail, requireInt } from '../errors.js';
import { createRandom, type Random } from '../random/random.js';
import { resolveIndices, sourceGet, sourceSize, type SequenceSource } from './sequenceSource.js';
import type { SkeletonSequence } from './skeletonSequence.js';
import type { FormattedClips } from './transforms/formatClips.js';

/** Turns one sequence into model-ready clips `[numClips, M, T, V, C]` (e.g. `pysklTrainPipeline(...)`). */
export type ClipMaker = (seq: SkeletonSequence, random: Random) => FormattedClips;

/** Options of {@link clipBatchDataset}. */
export interface ClipBatchOptions {
  /** Sequence -> clips; must give one clip per sequence. Required. */
  clips: ClipMaker;
  /** Classes K of the one-hot labels. Required. */
  numClasses: number;
  /** Sample indices of the source to use (a split); default all. */
  indices?: readonly number[];
  /** Clips per batch; default 16. */
  batchSize?: number;
  /** Reshuffle the samples every epoch; default true. */
  shuffle?: boolean;
  /** Seed of the shuffling and of the `random` handed to `clips` (epoch e uses seed + e); default 0. */
  seed?: number;
  /** Drop a last batch smaller than `batchSize`; default false. */
  dropRemainder?: boolean;
}

/** One batch: `xs` `[B, M, T, V, C]` and one-hot `ys` `[B, K]`. */
export interface ClipBatch {
  /** Clips `[B, M, T, V, C]`. */
  xs: tf.Tensor;
  /** One-hot labels `[B, K]`. */
  ys: tf.Tensor;
}

/**
 * A dataset of training batches that `model.fitDataset` (and `fitSke2GridDataset`) consume: every
 * `iterator()` call starts an epoch, reading, transforming and batching samples on demand (only one
 * batch is held in memory). `size` is the number of batches per epoch.
 */
export interface ClipBatchDataset {
  /** Batches per epoch. */
  readonly size: number;
  /** Starts an epoch: the next batches, in a fresh (seeded) order. */
  iterator(): Promise<{ next(): Promise<IteratorResult<ClipBatch>> }>;
}

/**
 * The former name of {@link ClipBatchDataset}.
 *
 * @deprecated Use {@link ClipBatchDataset}; this alias will be removed in a later major version.
 */
export type BatchDataset = ClipBatchDataset;

/**
 * Streams shuffled, transformed, one-hot-labelled batches from `source` for `fitDataset`:
 * `clipBatchDataset(dataset, { clips: pysklTrainPipeline({ kind: '3d', clipLen: 32, persons: 1 }), numClasses: 10 })`.
 * Labels come from each sequence's `label` and are checked against `numClasses`. Batches are `xs`
 * `[B, M, T, V, C]` and one-hot `ys` `[B, K]`; defaults in {@link ClipBatchOptions} (16 per batch, shuffled).
 *
 * @example
 * ```ts
 * import { buildSke2Grid, clipBatchDataset, fitSke2GridDataset, pysklTrainPipeline, type SkeletonSequence } from 'ske2grid';
 * declare const sequences: SkeletonSequence[]; // labelled COCO-17 2D clips, 10 classes
 * const clips = pysklTrainPipeline({ kind: '2d', clipLen: 48 }); // [1, 2, 48, 17, 3] per sequence
 * const batches = clipBatchDataset(sequences, { clips, numClasses: 10, batchSize: 16, seed: 1 }); // xs [16, 2, 48, 17, 3], ys [16, 10]
 * await fitSke2GridDataset(buildSke2Grid({ frames: 48, numClasses: 10 }), batches, { epochs: 30 });
 * ```
 */
export function clipBatchDataset(source: SequenceSource, options: ClipBatchOptions): ClipBatchDataset {
  if (source == null || (!Array.isArray(source) && typeof (source as { get?: unknown }).get !== 'function')) {
    fail('source', 'an array of SkeletonSequence or {size, get(index)}', source);
  }
  if (options == null || typeof options.clips !== 'function') fail('options.clips', 'a function (seq, random) => FormattedClips', options?.clips);
  const numClasses = requireInt('options.numClasses', options.numClasses, 1);
  const batchSize = requireInt('options.batchSize', options.batchSize ?? 16, 1);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) fail('options.seed', 'a safe integer', seed);
  const indices = resolveIndices(options.indices, sourceSize(source));
  const dropRemainder = options.dropRemainder ?? false;
  const size = dropRemainder ? Math.floor(indices.length / batchSize) : Math.ceil(indices.length / batchSize);
  if (size === 0) fail('options.batchSize', `at most the ${indices.length} samples when dropRemainder is set`, batchSize);
  let epoch = 0;

  return {
    size,
    async iterator() {
      const random = createRandom(seed + epoch++);
      const order = (options.shuffle ?? true) ? shuffled(indices, random) : indices;
      let start = 0;
      return {
        async next(): Promise<IteratorResult<ClipBatch>> {
          if (start >= order.length || (dropRemainder && start + batchSize > order.length)) return { done: true, value: undefined };
          const ids = order.slice(start, start + batchSize);
          start += batchSize;
          return { done: false, value: await makeBatch(source, ids, options.clips, random, numClasses) };
        },
      };
    },
  };
}

async function makeBatch(source: SequenceSource, ids: number[], clips: ClipMaker, random: Random, numClasses: number): Promise<ClipBatch> {
  let shape: number[] | null = null;
  let data: Float32Array | null = null;
  const ys = new Float32Array(ids.length * numClasses);
  for (let k = 0; k < ids.length; k++) {
    const seq = await sourceGet(source, ids[k]);
    const label = seq?.label;
    if (!Number.isInteger(label) || (label as number) < 0 || (label as number) >= numClasses) {
      fail(`sample ${ids[k]}${seq?.id ? ` (${seq.id})` : ''} label`, `an integer in [0, ${numClasses - 1}]`, label);
    }
    const c = clips(seq, random);
    if (c.shape[0] !== 1) fail(`options.clips (sample ${ids[k]})`, 'one clip per training sample', c.shape[0]);
    if (shape === null) {
      shape = c.shape.slice(1);
      data = new Float32Array(ids.length * c.data.length);
    } else if (c.shape.slice(1).some((d, i) => d !== shape![i])) {
      fail(`options.clips (sample ${ids[k]})`, `every clip of shape ${describe(shape)}`, c.shape.slice(1));
    }
    data!.set(c.data, k * c.data.length);
    ys[k * numClasses + (label as number)] = 1;
  }
  return { xs: tf.tensor(data!, [ids.length, ...shape!]), ys: tf.tensor2d(ys, [ids.length, numClasses]) };
}

/** A Fisher-Yates shuffle of a copy of `items` drawn from `random`. */
function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
