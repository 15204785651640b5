import { readFile } from 'node:fs/promises';
import { Ske2GridError, fail } from '../errors.js';
import { readPysklAnnotations, type PysklAnnotations, type PysklAnnotationsOptions } from '../data/readers/pysklAnnotations.js';

/**
 * Reads a PYSKL annotation pickle file (`.pkl`) with {@link readPysklAnnotations} (same options and checks). Node only.
 *
 * @example
 * ```ts
 * import { readPysklFile } from 'ske2grid/node';
 * const { split, annotations } = await readPysklFile('data/ntu60_hrnet.pkl', { split: 'xsub_val', numClasses: 60 });
 * annotations[0]?.keypoint; // a SkeletonSequence [M][T][17][2] with score, label and id
 * ```
 */
export async function readPysklFile(path: string, options: PysklAnnotationsOptions = {}): Promise<PysklAnnotations> {
  if (typeof path !== 'string' || path.length === 0) fail('readPysklFile path', 'a file path', path);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new Ske2GridError(`readPysklFile path: expected a readable file, got ${JSON.stringify(path)} (${(e as Error).message})`);
  }
  return readPysklAnnotations(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), options);
}
