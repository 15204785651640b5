/**
 * Node-only helpers of ske2grid (file system access): `import { loadModel } from 'ske2grid/node'`.
 * Importing it also registers the ske2grid layer classes (it exports `LAYER_CLASSES`), so `loadModel`
 * works on its own.
 * @packageDocumentation
 */
export { LAYER_CLASSES } from './deploy/layerClasses.js';
export { readParityFixture } from './node/readParityFixture.js';
export { fileSystem, saveModel, loadModel, MODEL_JSON, WEIGHTS_BIN, type WeightsIntegrity, type CheckpointJSON } from './node/fileIO.js';
export {
  openSkeletonDataset,
  parseSha256Sums,
  DATASET_MANIFEST,
  DATASET_CHECKSUMS,
  type SkeletonDataset,
  type OpenSkeletonDatasetOptions,
} from './node/datasetDirectory.js';
export { readPysklFile } from './node/pysklFile.js';
