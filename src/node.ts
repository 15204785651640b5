/**
 * Node-only helpers of ske2grid (file system access): `import { readParityFixture } from 'ske2grid/node'`.
 * @packageDocumentation
 */
export { readParityFixture } from './node/readParityFixture.js';
export { fileSystem, saveModel, loadModel, MODEL_JSON, WEIGHTS_BIN, type WeightsIntegrity, type CheckpointJSON } from './node/fileIO.js';
