/**
 * Upper bounds on sizes the library accepts, checked before anything large is allocated. They are far
 * above every configuration of the paper and of the public skeleton datasets, and low enough that a
 * typo (`numClasses: 1e9`) or a hostile file is refused in milliseconds instead of exhausting memory.
 * Each bound is named in the error that enforces it; see `docs/limits.md`.
 *
 * @example
 * ```ts
 * import { LIMITS, buildSke2Grid } from 'ske2grid';
 * LIMITS.maxGridSide; // 32: gridShape [32, 32] at most
 * buildSke2Grid({ numClasses: LIMITS.maxClasses + 1 }); // throws: config.numClasses: expected an integer in [1, 100000], ...
 * ```
 */
export const LIMITS = Object.freeze({
  /** Largest grid side H (= W) of `config.gridShape` (1,024 cells). */
  maxGridSide: 32,
  /** Largest `config.numClasses`. */
  maxClasses: 100_000,
  /** Largest `config.inChannels` (values per joint). */
  maxInChannels: 256,
  /** Largest `config.persons` (person slots per clip). */
  maxPersons: 16,
  /** Largest `config.frames` (frames per clip). */
  maxFrames: 10_000,
  /** Largest number of UPT+GIT stages (`config.stages.length`). */
  maxStages: 8,
  /** Largest number of grid convolution blocks (`config.blocks.length`). */
  maxBlocks: 64,
  /** Largest `filters` of one block. */
  maxFilters: 4096,
  /** Largest temporal `stride` of one block. */
  maxStride: 16,
  /** Largest number of weights (trainable and not) of a model: 2^27, 512 MiB of float32. */
  maxParameters: 2 ** 27,
  /** Largest activation of one clip in one block (`persons x frames x cells x channels` values): 2^27, 512 MiB of float32. */
  maxActivationValues: 2 ** 27,
  /** Largest sample of a dataset directory, in bytes (1 GiB; Node cannot read 2 GiB or more into one buffer). */
  maxSampleBytes: 2 ** 30,
  /** Largest `model.json`, in bytes (64 MiB). */
  maxModelJsonBytes: 64 * 2 ** 20,
  /** Largest dataset `manifest.json` or `SHA256SUMS`, in bytes (256 MiB). */
  maxManifestBytes: 256 * 2 ** 20,
  /** Largest `weights.bin`, in bytes: `maxParameters` float32 values. */
  maxWeightsBytes: 4 * 2 ** 27,
  /** Largest pickle file read by `readPysklFile`, in bytes (1 GiB; PYSKL's NTU-120 HRNet pickle is about 0.3 GiB). */
  maxPickleBytes: 2 ** 30,
  /** Largest `StreamingRecognizer` window (`windowFrames`). */
  maxWindowFrames: 10_000,
});
