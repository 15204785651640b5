import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Ske2GridError, describe, fail } from '../errors.js';

/**
 * File name of the model description (topology, metadata, weights manifest, integrity record): `'model.json'`.
 *
 * @example
 * ```ts
 * import { existsSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { MODEL_JSON, WEIGHTS_BIN } from 'ske2grid/node';
 * const saved = [MODEL_JSON, WEIGHTS_BIN].every((f) => existsSync(join('checkpoints/run1', f))); // 'model.json', 'weights.bin'
 * ```
 */
export const MODEL_JSON = 'model.json';
/**
 * File name of the concatenated weight data: `'weights.bin'`.
 *
 * @example
 * ```ts
 * import { statSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { WEIGHTS_BIN } from 'ske2grid/node';
 * statSync(join('checkpoints/run1', WEIGHTS_BIN)).size; // bytes of float32 weights, 4 per parameter
 * ```
 */
export const WEIGHTS_BIN = 'weights.bin';

/** Integrity record of `weights.bin`, kept in `model.json` under `integrity` (beside `userDefinedMetadata`). */
export interface WeightsIntegrity {
  /** Size of `weights.bin` in bytes. */
  weightsBytes: number;
  /** Lower-case hex SHA-256 of `weights.bin`. */
  weightsSha256: string;
}

/** The `model.json` written by {@link fileSystem}: the tfjs model JSON plus the integrity record. */
export interface CheckpointJSON extends tf.io.ModelJSON {
  /** Size and SHA-256 of `weights.bin`, checked before any weight is handed to tfjs. */
  integrity: WeightsIntegrity;
}

/**
 * A tfjs IO handler (`save` and `load`) for a checkpoint directory on the Node file system, without
 * tfjs-node: `model.json` (topology, format, generatedBy, convertedBy, trainingConfig,
 * userDefinedMetadata, weightsManifest `[{ paths: ['weights.bin'], weights }]`, integrity
 * `{ weightsBytes, weightsSha256 }`) and `weights.bin`. `save` creates the directory and writes each
 * file to a temporary name in it, then renames (weights first), so an interrupted save never leaves
 * a half-written file under either name. `load` checks that both files exist, that `model.json` is a
 * valid model JSON, and that `weights.bin` has the recorded size and SHA-256 and the size the weight
 * specs add up to, BEFORE returning anything: `tf.loadLayersModel(fileSystem(dir))` returns a fully
 * loaded model or throws a {@link Ske2GridError} naming the file, what was expected and what was found.
 * Import `ske2grid` first so the layer classes are registered.
 *
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { buildSke2Grid } from 'ske2grid';
 * import { fileSystem } from 'ske2grid/node';
 * await buildSke2Grid({ numClasses: 10 }).save(fileSystem('checkpoints/run1')); // model.json + weights.bin
 * const model = await tfl.loadLayersModel(fileSystem('checkpoints/run1')); // size and SHA-256 checked first
 * ```
 */
export function fileSystem(dir: string): tf.io.IOHandler {
  if (typeof dir !== 'string' || dir.length === 0) {
    fail('fileSystem dir', 'a non-empty directory path', dir);
  }
  return {
    save: (artifacts: tf.io.ModelArtifacts) => saveArtifacts(dir, artifacts),
    load: () => loadArtifacts(dir),
  };
}

/**
 * Saves `model` (topology, weights, metadata) into directory `dir` via {@link fileSystem}; creates `dir` if needed.
 *
 * @example
 * ```ts
 * import { buildSke2Grid } from 'ske2grid';
 * import { saveModel } from 'ske2grid/node';
 * await saveModel(buildSke2Grid({ numClasses: 10 }), 'checkpoints/run1'); // checkpoints/run1/model.json + weights.bin
 * ```
 */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(fileSystem(dir));
}

/**
 * Loads a model saved by {@link saveModel} from `dir` (verified before loading; see {@link fileSystem}).
 *
 * @example
 * ```ts
 * import { getModelConfig } from 'ske2grid';
 * import { loadModel } from 'ske2grid/node';
 * const model = await loadModel('checkpoints/run1');
 * getModelConfig(model).gridShape; // as saved, e.g. [5, 5]
 * ```
 */
export async function loadModel(dir: string, options?: tf.io.LoadOptions): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(fileSystem(dir), options);
}

async function saveArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology == null || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Ske2GridError(
      `fileSystem(${describe(dir)}).save: expected a JSON model topology, got ${artifacts.modelTopology == null ? 'none' : 'an ArrayBuffer'}`,
    );
  }
  const weights = weightBytes(artifacts.weightData);
  const json: CheckpointJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    integrity: { weightsBytes: weights.byteLength, weightsSha256: sha256(weights) },
  };
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) json.initializerSignature = artifacts.initializerSignature;

  await mkdir(dir, { recursive: true });
  // Both files are written in full to temporary names first; then weights.bin is renamed before
  // model.json. A crash between the two renames leaves the old model.json, whose integrity record
  // does not match the new weights.bin, which load() rejects: never a silently mixed checkpoint.
  const temps = [tempName(dir, WEIGHTS_BIN), tempName(dir, MODEL_JSON)];
  try {
    await writeSynced(temps[0], weights);
    await writeSynced(temps[1], Buffer.from(JSON.stringify(json), 'utf8'));
    await rename(temps[0], join(dir, WEIGHTS_BIN));
    await rename(temps[1], join(dir, MODEL_JSON));
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw e;
  }
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const dirStat = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    throw new Ske2GridError(`checkpoint dir ${describe(dir)}: expected an existing directory, got ${e.code ?? e.message}`);
  });
  if (!dirStat.isDirectory()) throw new Ske2GridError(`checkpoint dir ${describe(dir)}: expected a directory, got a file`);

  const jsonPath = join(dir, MODEL_JSON);
  const text = await readFile(jsonPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Ske2GridError(`${MODEL_JSON} in ${describe(dir)}: expected a readable file, got ${e.code ?? e.message}`);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Ske2GridError(`${MODEL_JSON} in ${describe(dir)}: expected valid JSON, got ${(e as Error).message} (${text.length} characters)`);
  }
  const json = checkModelJSON(parsed, dir);

  const weights = await readFile(join(dir, WEIGHTS_BIN)).catch((e: NodeJS.ErrnoException) => {
    throw new Ske2GridError(`${WEIGHTS_BIN} in ${describe(dir)}: expected a readable file, got ${e.code ?? e.message}`);
  });
  const { weightsBytes, weightsSha256 } = json.integrity;
  if (weights.byteLength !== weightsBytes) {
    throw new Ske2GridError(
      `${WEIGHTS_BIN} in ${describe(dir)}: expected ${weightsBytes} bytes (integrity record in ${MODEL_JSON}), got ${weights.byteLength} bytes (truncated or replaced)`,
    );
  }
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const specBytes = specs.reduce((total, spec, i) => total + specByteLength(spec, i, dir), 0);
  if (specBytes !== weights.byteLength) {
    throw new Ske2GridError(
      `${WEIGHTS_BIN} in ${describe(dir)}: expected ${specBytes} bytes (sum of the ${specs.length} weight specs in ${MODEL_JSON}), got ${weights.byteLength} bytes`,
    );
  }
  const digest = sha256(weights);
  if (digest !== weightsSha256) {
    throw new Ske2GridError(
      `${WEIGHTS_BIN} in ${describe(dir)}: expected SHA-256 ${weightsSha256} (integrity record in ${MODEL_JSON}), got ${digest} (corrupted)`,
    );
  }
  const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.io.getModelArtifactsForJSONSync(json, specs, data);
}

/** Validates the parsed `model.json`: topology object, single-file manifest, integrity record. */
function checkModelJSON(value: unknown, dir: string): CheckpointJSON {
  const where = `${MODEL_JSON} in ${describe(dir)}`;
  const bad = (field: string, expected: string, got: unknown): never => {
    fail(`${where}: ${field}`, expected, got);
  };
  if (!isObject(value)) return bad('content', 'a JSON object', Array.isArray(value) ? 'an array' : value);
  if (!isObject(value.modelTopology)) return bad('modelTopology', 'an object', value.modelTopology ?? 'nothing');
  const manifest = value.weightsManifest;
  if (!Array.isArray(manifest)) return bad('weightsManifest', 'an array of { paths, weights }', manifest ?? 'nothing');
  const paths: unknown[] = [];
  manifest.forEach((group: unknown, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      bad(`weightsManifest[${g}]`, 'an object { paths: string[], weights: WeightsManifestEntry[] }', group);
    }
    paths.push(...(group as { paths: unknown[] }).paths);
  });
  if (paths.length !== 1 || paths[0] !== WEIGHTS_BIN) bad('weightsManifest paths', `[${describe(WEIGHTS_BIN)}]`, paths);
  const integrity = value.integrity;
  if (
    !isObject(integrity) ||
    typeof integrity.weightsBytes !== 'number' ||
    !Number.isInteger(integrity.weightsBytes) ||
    integrity.weightsBytes < 0 ||
    typeof integrity.weightsSha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(integrity.weightsSha256)
  ) {
    bad('integrity', '{ weightsBytes: integer >= 0, weightsSha256: 64 hex digits } (written by fileSystem().save)', integrity ?? 'nothing');
  }
  return value as unknown as CheckpointJSON;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Byte length of one weight spec in `weights.bin` (quantized dtype if quantized); numeric dtypes only. */
function specByteLength(spec: unknown, i: number, dir: string): number {
  const where = `${MODEL_JSON} in ${describe(dir)}: weight spec ${i}`;
  if (!isObject(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(where, '{ name, shape: non-negative integers, dtype }', spec);
  }
  const quantized = isObject(spec.quantization) ? spec.quantization.dtype : undefined;
  const dtype = (quantized ?? spec.dtype) as string;
  const bytes = DTYPE_BYTES[dtype];
  if (bytes === undefined) {
    fail(`${where} (${spec.name})`, `a numeric dtype (${Object.keys(DTYPE_BYTES).join(', ')})`, dtype);
  }
  return (spec.shape as number[]).reduce((a, d) => a * d, 1) * bytes;
}

/** A temporary file name beside `dir/name` (same directory, so the final rename is atomic). */
function tempName(dir: string, name: string): string {
  return join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes `data` to a new file `path` and flushes it to disk. */
async function writeSynced(path: string, data: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The weight data of the artifacts as one byte array (empty when there are none). */
function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data == null) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
