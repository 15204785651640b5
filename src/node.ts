/**
 * Node-only helpers of ske2grid (file system access): `import { readParityFixture } from 'ske2grid/node'`.
 * @packageDocumentation
 */
export { readParityFixture } from './node/readParityFixture.js';
