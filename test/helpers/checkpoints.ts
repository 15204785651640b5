import { createHash } from 'node:crypto';
import type { CheckpointJSON } from '../../src/node/fileIO.js';

/** `json` with its integrity.modelSha256 recomputed for its (edited) content, as saveModel computes it. */
export function rehashed(json: CheckpointJSON): CheckpointJSON {
  const { integrity, ...rest } = json;
  return { ...rest, integrity: { ...integrity, modelSha256: createHash('sha256').update(JSON.stringify(rest)).digest('hex') } };
}
