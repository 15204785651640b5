import { fail } from '../errors.js';
import type { SkeletonSequence } from './skeletonSequence.js';

/**
 * Where clips come from: an array of sequences, or a lazy source such as
 * `openSkeletonDataset(dir)` (`ske2grid/node`) that reads one sample at a time, so a dataset larger
 * than memory can be streamed.
 */
export type SequenceSource = readonly SkeletonSequence[] | { readonly size: number; get(index: number): SkeletonSequence | Promise<SkeletonSequence> };

/**
 * Number of samples of a {@link SequenceSource}.
 *
 * @example
 * ```ts
 * import { sourceSize, type SkeletonSequence } from 'ske2grid';
 * declare const sequences: SkeletonSequence[];
 * sourceSize(sequences); // sequences.length; a lazy source (e.g. openSkeletonDataset) gives its size
 * ```
 */
export function sourceSize(source: SequenceSource): number {
  return Array.isArray(source) ? source.length : (source as { size: number }).size;
}

/**
 * Sample `index` of a {@link SequenceSource}.
 *
 * @example
 * ```ts
 * import { sourceGet } from 'ske2grid';
 * import { openSkeletonDataset } from 'ske2grid/node';
 * const data = await openSkeletonDataset('datasets/nw_ucla');
 * const first = await sourceGet(data, 0); // [M][T][V][C] with label and id; from an array: sequences[0]
 * ```
 */
export async function sourceGet(source: SequenceSource, index: number): Promise<SkeletonSequence> {
  return Array.isArray(source)
    ? (source as SkeletonSequence[])[index]
    : (source as { get(i: number): SkeletonSequence | Promise<SkeletonSequence> }).get(index);
}

/**
 * Checks `indices` (default: every sample, `0..size-1`) against a source of `size` samples and returns
 * a copy; `what` (default `'options.indices'`) names the argument in errors.
 *
 * @example
 * ```ts
 * import { resolveIndices } from 'ske2grid';
 * resolveIndices(undefined, 3); // [0, 1, 2]
 * resolveIndices([2, 0], 3); // [2, 0]; [3] would throw: options.indices[0]: expected a sample index in [0, 2], got 3
 * ```
 */
export function resolveIndices(indices: readonly number[] | undefined, size: number, what = 'options.indices'): number[] {
  if (indices === undefined) return Array.from({ length: size }, (_, i) => i);
  if (!Array.isArray(indices) || indices.length === 0) fail(what, 'a non-empty array of sample indices', indices);
  indices.forEach((i, k) => {
    if (!Number.isInteger(i) || i < 0 || i >= size) fail(`${what}[${k}]`, `a sample index in [0, ${size - 1}]`, i);
  });
  return [...indices];
}
