import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  expectedDataBytes,
  expectedScoreBytes,
  layoutFromManifest,
  parseDatasetManifest,
  sampleValueCount,
  sequenceFromBuffer,
  type DatasetManifest,
} from '../data/readers/datasetManifest.js';
import type { SkeletonSequence } from '../data/skeletonSequence.js';
import { Ske2GridError, describe, fail } from '../errors.js';
import type { SkeletonLayout } from '../layouts/skeletonLayout.js';
import { LIMITS } from '../limits.js';
import { openRegularFile, readRegularFile } from './regularFile.js';

/**
 * File name of the manifest in a dataset directory: `'manifest.json'`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { parseDatasetManifest } from 'ske2grid';
 * import { DATASET_MANIFEST } from 'ske2grid/node';
 * const manifest = parseDatasetManifest(JSON.parse(readFileSync(join('datasets/nw_ucla', DATASET_MANIFEST), 'utf8')));
 * ```
 */
export const DATASET_MANIFEST = 'manifest.json';
/**
 * File name of the checksum list in a dataset directory (`sha256sum` format): `'SHA256SUMS'`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { DATASET_CHECKSUMS, parseSha256Sums } from 'ske2grid/node';
 * const sums = parseSha256Sums(readFileSync(join('datasets/nw_ucla', DATASET_CHECKSUMS), 'utf8')); // file name -> hex
 * ```
 */
export const DATASET_CHECKSUMS = 'SHA256SUMS';

/** Options of {@link openSkeletonDataset}. */
export interface OpenSkeletonDatasetOptions {
  /**
   * Check the SHA-256 of every file listed in `SHA256SUMS` (which must exist and list the data file)
   * before returning; reads each file once as a stream. Default `false`.
   */
  verifyChecksums?: boolean;
}

/** A dataset directory opened by {@link openSkeletonDataset}: reads samples on demand through one file handle. */
export interface SkeletonDataset {
  /** The validated manifest. */
  readonly manifest: DatasetManifest;
  /** The dataset's skeleton (joint names, edges, centre joint). */
  readonly layout: SkeletonLayout;
  /** Number of samples. */
  readonly size: number;
  /** Reads sample `index` (only its bytes) as a `[M][T][V][C]` {@link SkeletonSequence} with `label` and `id`. */
  get(index: number): Promise<SkeletonSequence>;
  /** Reads the samples at `indices` (default: all), in that order. */
  readAll(indices?: readonly number[]): Promise<SkeletonSequence[]>;
  /** Closes the data file; later reads fail. Calling it again does nothing. */
  close(): Promise<void>;
}

async function readManifest(dir: string): Promise<DatasetManifest> {
  const file = join(dir, DATASET_MANIFEST);
  const text = (
    await readRegularFile(file, `dataset dir ${describe(dir)}: ${DATASET_MANIFEST}`, {
      maxBytes: LIMITS.maxManifestBytes,
      limitName: 'LIMITS.maxManifestBytes',
    })
  ).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Ske2GridError(`${file}: expected valid JSON, got ${(e as Error).message}`);
  }
  return parseDatasetManifest(json);
}

/**
 * Parses `sha256sum` output: `<64 hex>  <name>` (or `<hex> *<name>`) per line; returns name -> lower-case
 * hex; `what` (default `'SHA256SUMS'`) names the text in errors.
 *
 * @example
 * ```ts
 * import { parseSha256Sums } from 'ske2grid/node';
 * const sums = parseSha256Sums(`${'AB'.repeat(32)}  data.f32\n`);
 * sums.get('data.f32'); // 'abab...ab' (64 lower-case hex digits)
 * ```
 */
export function parseSha256Sums(text: string, what = DATASET_CHECKSUMS): Map<string, string> {
  const sums = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!match) fail(`${what} line ${i + 1}`, '"<64 hex digits>  <file name>"', line);
    sums.set(match[2], match[1].toLowerCase());
  });
  return sums;
}

/** SHA-256 of a regular file, read in 1 MiB chunks (never a device or FIFO). */
async function sha256OfFile(file: string, what: string): Promise<string> {
  const hash = createHash('sha256');
  const { handle, size } = await openRegularFile(file, what);
  try {
    const chunk = Buffer.allocUnsafe(Math.min(size, 2 ** 20));
    for (let done = 0; done < size;) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.byteLength, size - done), done);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      done += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function verifyChecksums(dir: string, dataFile: string): Promise<void> {
  const listFile = join(dir, DATASET_CHECKSUMS);
  const text = (
    await readRegularFile(listFile, `verifyChecksums: ${listFile}`, { maxBytes: LIMITS.maxManifestBytes, limitName: 'LIMITS.maxManifestBytes' })
  ).toString('utf8');
  const sums = parseSha256Sums(text, listFile);
  if (!sums.has(dataFile)) fail(listFile, `an entry for ${dataFile}`, [...sums.keys()]);
  for (const [name, expected] of sums) {
    if (name.includes('/') || name.includes('\\')) fail(`${listFile} entry`, 'a file name in the dataset directory', name);
    const actual = await sha256OfFile(join(dir, name), `${listFile} entry ${describe(name)}`);
    if (actual !== expected) throw new Ske2GridError(`${join(dir, name)}: expected SHA-256 ${expected} (from ${DATASET_CHECKSUMS}), got ${actual}`);
  }
}

/** Float32 values of little-endian bytes (independent of the machine's byte order). */
function float32LittleEndian(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * Opens a dataset directory (`manifest.json`, the data file named by `manifest.format.data_file`,
 * optionally `SHA256SUMS`; see `../shared/datasets/README.md` for the format). Validates the
 * manifest, checks up front that the data file has exactly the sum of `frames * M * V * C * 4` bytes
 * (a clear error for truncated files), optionally verifies checksums, and keeps one file handle open:
 * `get(i)` reads only sample i's bytes, so datasets larger than memory work; a sample over
 * `LIMITS.maxSampleBytes` (1 GiB) is refused by `get(i)` before anything is allocated. Every file must
 * be a regular file (no device or FIFO, also through a symbolic link). Call `close()` when done.
 *
 * @example
 * ```ts
 * import { openSkeletonDataset } from 'ske2grid/node';
 * const data = await openSkeletonDataset('datasets/nw_ucla', { verifyChecksums: true }); // default false
 * const seq = await data.get(0); // sample 0 as [M][T][V][C] with label and id, read on demand
 * await data.close();
 * ```
 */
export async function openSkeletonDataset(dir: string, options: OpenSkeletonDatasetOptions = {}): Promise<SkeletonDataset> {
  if (typeof dir !== 'string' || dir.length === 0) fail('dir', 'a dataset directory path', dir);
  if (options == null || typeof options !== 'object') fail('options', 'an options object or undefined', options);
  if (options.verifyChecksums !== undefined && typeof options.verifyChecksums !== 'boolean') {
    fail('options.verifyChecksums', 'a boolean', options.verifyChecksums);
  }
  const manifest = await readManifest(dir);
  const layout = layoutFromManifest(manifest);
  const dataPath = join(dir, manifest.format.data_file);
  if (options.verifyChecksums === true) await verifyChecksums(dir, manifest.format.data_file);

  const opened = await openRegularFile(dataPath, `dataset dir ${describe(dir)}: ${manifest.format.data_file}`);
  let handle: FileHandle | null = opened.handle;
  const expected = expectedDataBytes(manifest);
  const actual = opened.size;
  if (actual !== expected) {
    await handle.close();
    const hint = actual < expected ? ' (truncated?)' : '';
    throw new Ske2GridError(
      `${dataPath}: expected ${expected} bytes (sum of frames x M x V x C x 4 over ${manifest.samples.length} samples), got ${actual}${hint}`,
    );
  }

  let scoreHandle: FileHandle | null = null;
  const scoreFile = manifest.format.score_file;
  if (scoreFile !== undefined) {
    const scorePath = join(dir, scoreFile);
    let scores: { handle: FileHandle; size: number };
    try {
      scores = await openRegularFile(scorePath, `dataset dir ${describe(dir)}: ${scoreFile} (manifest.format.score_file)`);
    } catch (e) {
      await handle.close();
      throw e;
    }
    scoreHandle = scores.handle;
    const expectedScores = expectedScoreBytes(manifest);
    if (scores.size !== expectedScores) {
      await Promise.all([handle.close(), scoreHandle.close()]);
      throw new Ske2GridError(
        `${scorePath}: expected ${expectedScores} bytes (sum of frames x M x V x 4 over ${manifest.samples.length} samples), got ${scores.size}`,
      );
    }
  }

  const size = manifest.samples.length;
  const get = async (index: number): Promise<SkeletonSequence> => {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= size) {
      fail('index', `a sample index in [0, ${size - 1}]`, index);
    }
    if (handle === null) throw new Ske2GridError(`dataset ${describe(manifest.name)}: get(${index}) after close()`);
    const entry = manifest.samples[index];
    const byteLength = sampleValueCount(manifest, index) * 4;
    if (byteLength > LIMITS.maxSampleBytes) {
      fail(
        `dataset ${describe(manifest.name)} sample ${index} (${describe(entry.id)})`,
        `at most ${LIMITS.maxSampleBytes} bytes (LIMITS.maxSampleBytes)`,
        `${byteLength} bytes (${entry.frames} frames)`,
      );
    }
    const bytes = new Uint8Array(byteLength);
    const { bytesRead } = await handle.read(bytes, 0, bytes.byteLength, entry.byte_offset);
    if (bytesRead !== bytes.byteLength) {
      throw new Ske2GridError(
        `${dataPath}: expected ${bytes.byteLength} bytes of sample ${describe(entry.id)} at byte ${entry.byte_offset}, got ${bytesRead} (file changed since open?)`,
      );
    }
    let score: Float32Array | undefined;
    if (scoreHandle !== null) {
      const frameScores = manifest.format.num_persons * manifest.format.num_joints;
      const scoreBytes = new Uint8Array(entry.frames * frameScores * 4);
      const read = await scoreHandle.read(scoreBytes, 0, scoreBytes.byteLength, entry.frame_offset * frameScores * 4);
      if (read.bytesRead !== scoreBytes.byteLength) {
        throw new Ske2GridError(
          `${scoreFile}: expected ${scoreBytes.byteLength} bytes of sample ${describe(entry.id)}, got ${read.bytesRead} (file changed since open?)`,
        );
      }
      score = float32LittleEndian(scoreBytes);
    }
    return sequenceFromBuffer(manifest, float32LittleEndian(bytes), index, { sampleSlice: true, score });
  };

  return {
    manifest,
    layout,
    size,
    get,
    async readAll(indices?: readonly number[]): Promise<SkeletonSequence[]> {
      if (indices !== undefined && !Array.isArray(indices)) fail('indices', 'an array of sample indices or undefined', indices);
      const list = indices ?? manifest.samples.map((_, i) => i);
      const out: SkeletonSequence[] = [];
      for (const i of list) out.push(await get(i));
      return out;
    },
    async close(): Promise<void> {
      const h = handle;
      const hs = scoreHandle;
      handle = null;
      scoreHandle = null;
      if (h !== null) await h.close();
      if (hs !== null) await hs.close();
    },
  };
}
