/**
 * Reads a tfjs graph model (`model.json` + weight shards, as `tensorflowjs_converter` writes them) from
 * the local file system into the in-memory form `tf.io.fromMemory` takes, so `loadGraphModel` works in
 * Node without tfjs-node and without a network.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { Ske2GridError } from '../../src/index.js';

/** Reads `jsonPath` and every weight shard its manifest lists (paths relative to it) into model artifacts. */
export function readGraphModelFiles(jsonPath: string): tf.io.ModelArtifacts {
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (e) {
    throw new Ske2GridError(`graph model ${jsonPath}: expected a readable model.json, got ${(e as Error).message}`);
  }
  if (json.format !== 'graph-model' || json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new Ske2GridError(
      `graph model ${jsonPath}: expected format 'graph-model' with a topology and a weights manifest, got format ${JSON.stringify(json.format)}`,
    );
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const shards = json.weightsManifest.flatMap((group) => group.paths).map((p) => readFileSync(join(dirname(jsonPath), p)));
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
  let offset = 0;
  for (const s of shards) {
    weightData.set(s, offset);
    offset += s.byteLength;
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    modelInitializer: json.modelInitializer,
    weightSpecs,
    weightData: weightData.buffer,
  };
}
