import { fail } from '../errors.js';
import { LIMITS } from '../limits.js';
import { readRegularFile } from './regularFile.js';
import { readPysklAnnotations, type PysklAnnotations, type PysklAnnotationsOptions } from '../data/readers/pysklAnnotations.js';

/**
 * Reads a PYSKL annotation pickle file (`.pkl`) with {@link readPysklAnnotations} (same options and checks). Node only.
 * The file must be a regular file (no device or FIFO) of at most `LIMITS.maxPickleBytes` (1 GiB), checked before reading.
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
  const data = await readRegularFile(path, 'readPysklFile path', { maxBytes: LIMITS.maxPickleBytes, limitName: 'LIMITS.maxPickleBytes' });
  return readPysklAnnotations(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), options);
}
