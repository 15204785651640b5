import { readFile, stat } from 'node:fs/promises';
import { Ske2GridError, describe } from '../errors.js';
import { readTorchCheckpoint, type ReadTorchCheckpointOptions, type TorchValue } from '../torch/readTorchCheckpoint.js';

/** Largest `.pth` file {@link readTorchFile} reads by default: 4 GiB. */
const MAX_FILE_BYTES = 2 ** 32;

/** Options of {@link readTorchFile}: those of `readTorchCheckpoint`, plus the file size limit. */
export interface ReadTorchFileOptions extends ReadTorchCheckpointOptions {
  /** Largest file read, in bytes; default 2^32 (4 GiB). */
  maxFileBytes?: number;
}

/**
 * Reads a PyTorch checkpoint file (`.pth`, `.pt`; zip or legacy format) with `readTorchCheckpoint`:
 * nothing in it is executed. Node only.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, configFromStateDict, loadOfficialWeights } from 'ske2grid';
 * import { readTorchFile } from 'ske2grid/node';
 * const checkpoint = await readTorchFile('work_dirs/ske2grid/best_top1_acc_epoch_16.pth');
 * const model = buildSke2Grid(configFromStateDict(checkpoint));
 * loadOfficialWeights(model, checkpoint);
 * ```
 */
export async function readTorchFile(path: string, options: ReadTorchFileOptions = {}): Promise<TorchValue> {
  if (typeof path !== 'string' || path.length === 0) throw new Ske2GridError(`readTorchFile path: expected a file path, got ${describe(path)}`);
  const { maxFileBytes = MAX_FILE_BYTES, ...rest } = options;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new Ske2GridError(`readTorchFile '${path}': expected a readable file, got ${(e as Error).message}`);
  }
  if (size > maxFileBytes) throw new Ske2GridError(`readTorchFile '${path}': expected at most maxFileBytes = ${maxFileBytes} bytes, got ${size}`);
  try {
    return readTorchCheckpoint(new Uint8Array(await readFile(path)), rest);
  } catch (e) {
    if (e instanceof Ske2GridError) throw new Ske2GridError(`${path}: ${e.message}`);
    throw e;
  }
}
