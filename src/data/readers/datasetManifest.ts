import { Ske2GridError, describe, fail } from '../../errors.js';
import { defineLayout, type SkeletonLayout } from '../../layouts/skeletonLayout.js';
import type { SkeletonSequence } from '../skeletonSequence.js';

/** The `format` block of a dataset manifest: how `data.f32` is laid out (`[sample][frame][person][joint][coord]`, float32 LE). */
export interface DatasetFormat {
  /** Name of the coordinate file beside `manifest.json` (e.g. `'data.f32'`). */
  data_file: string;
  /** Always `'float32'`. */
  dtype: 'float32';
  /** Always `'little'`. */
  byte_order: 'little';
  /** Person slots M stored per frame. */
  num_persons: number;
  /** Joints V per person. */
  num_joints: number;
  /** Coordinate dimensions C per joint. */
  coord_dims: number;
  /** Sum of all samples' frames, when recorded (checked). */
  total_frames?: number;
  /** Size of the data file in bytes, when recorded (checked against `total_frames * M * V * C * 4`). */
  data_bytes?: number;
  /**
   * Optional per-joint score (confidence or visibility) file beside `manifest.json`, float32
   * little-endian `[sample][frame][person][joint]`, samples at `frame_offset * M * V * 4` bytes; read
   * into `SkeletonSequence.score`. Absent: the data has no score channel.
   */
  score_file?: string;
  /** Further descriptive fields (`layout`, `how_to_read`, ...). */
  [field: string]: unknown;
}

/** The `joints` block: joint names (length V), 0-based bone pairs and the body-centre joint. */
export interface DatasetJoints {
  /** Joint names in storage order. */
  names: string[];
  /** Bone pairs `[i, j]`, 0-based. */
  edges: [number, number][];
  /** Index of the body-centre joint; 0 when the manifest has none. */
  center_joint: number;
  /** Further descriptive fields (`names_source`, `edges_source`, ...). */
  [field: string]: unknown;
}

/** One protocol fold: sample indices to train on and to test on. */
export interface DatasetFold {
  /** Training sample indices; when absent, the test indices of every other fold. */
  train?: number[];
  /** Test sample indices. */
  test: number[];
  /** Further fields (`train_subjects`, `test_sets`, ...). */
  [field: string]: unknown;
}

/** One protocol of `manifest.splits`: `train`/`test` index lists, or `folds[]`, or neither (e.g. leave-one-out). */
export interface DatasetProtocol {
  /** What the protocol is and where it comes from. */
  description?: string;
  /** Training sample indices. */
  train?: number[];
  /** Test sample indices. */
  test?: number[];
  /** Cross-validation folds. */
  folds?: DatasetFold[];
  /** Further fields (`action_ids_1based`, ...). */
  [field: string]: unknown;
}

/** One entry of `manifest.samples`: where a clip lies in `data.f32`, its label and identifier, plus dataset fields. */
export interface DatasetSampleEntry {
  /** Identifier of the clip, unique in the dataset. */
  id: string;
  /** Class index, 0-based into `manifest.classes`. */
  label: number;
  /** Frames T of the clip (>= 1). */
  frames: number;
  /** Offset of the clip's first frame in the data file, in frames. */
  frame_offset: number;
  /** Offset of the clip in the data file, in bytes (`frame_offset * M * V * C * 4`). */
  byte_offset: number;
  /** Position in `manifest.samples`, when recorded (checked). */
  index?: number;
  /** Height in pixels of the image the 2D coordinates were measured in (with `image_width`); read into `SkeletonSequence.imageShape`. */
  image_height?: number;
  /** Width in pixels of the image the 2D coordinates were measured in (with `image_height`). */
  image_width?: number;
  /** Dataset fields (subject, view, fold, flags, ...). */
  [field: string]: unknown;
}

/** A validated dataset manifest (`manifest.json` of a dataset directory); unknown top-level fields are kept. */
export interface DatasetManifest {
  /** Dataset identifier, e.g. `'nw_ucla'`. */
  name: string;
  /** Class names; a sample's `label` indexes this list. */
  classes: string[];
  /** Skeleton description. */
  joints: DatasetJoints;
  /** Coordinate description (`names` of length C, `units`), when present. */
  coords?: { names?: string[]; units?: string; [field: string]: unknown };
  /** Literature protocols by name. */
  splits: Record<string, DatasetProtocol>;
  /** Layout of the data file. */
  format: DatasetFormat;
  /** Per-sample table, in file order. */
  samples: DatasetSampleEntry[];
  /** Further fields (`title`, `source`, `original`, `license`, `stats`, ...). */
  [field: string]: unknown;
}

/** Train and test sample indices of one protocol (and fold). */
export interface DatasetSplit {
  /** Indices into `manifest.samples` to train on. */
  train: number[];
  /** Indices into `manifest.samples` to test on. */
  test: number[];
}

/** Options of {@link sequenceFromBuffer}. */
export interface SequenceFromBufferOptions {
  /**
   * `true` when `data` holds only this sample's `frames * M * V * C` values (as a reader that fetched
   * just the sample's bytes has them); default `false`: `data` is the whole data file.
   */
  sampleSlice?: boolean;
  /**
   * Values of the score file (`manifest.format.score_file`), the whole file or, with `sampleSlice`,
   * only this sample's `frames * M * V`; read into `score` `[M][T][V]`. Default none (no score).
   */
  score?: Float32Array;
}

const isObject = (x: unknown): x is Record<string, unknown> => x != null && typeof x === 'object' && !Array.isArray(x);
const isInt = (x: unknown, min: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min;

function intField(obj: Record<string, unknown>, key: string, path: string, min: number): number {
  const v = obj[key];
  if (!isInt(v, min)) fail(`${path}.${key}`, `an integer >= ${min}`, v);
  return v;
}

function objectField(obj: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
  const v = obj[key];
  if (!isObject(v)) fail(`${path}.${key}`, 'an object', v);
  return v;
}

function stringList(v: unknown, path: string, expectedLength?: number): string[] {
  if (!Array.isArray(v) || v.length === 0) fail(path, 'a non-empty array of strings', v);
  v.forEach((s, i) => {
    if (typeof s !== 'string' || s.length === 0) fail(`${path}[${i}]`, 'a non-empty string', s);
  });
  if (expectedLength !== undefined && v.length !== expectedLength) fail(`${path}`, `${expectedLength} entries`, `${v.length} entries`);
  return v as string[];
}

function indexList(v: unknown, path: string, size: number): number[] {
  if (!Array.isArray(v)) fail(path, 'an array of sample indices', v);
  v.forEach((x, i) => {
    if (!isInt(x, 0) || x >= size) fail(`${path}[${i}]`, `a sample index in [0, ${size - 1}]`, x);
  });
  return v as number[];
}

function checkDisjoint(train: number[], test: number[], path: string): void {
  const inTrain = new Set(train);
  const both = test.find((i) => inTrain.has(i));
  if (both !== undefined) throw new Ske2GridError(`${path}: sample ${both} is in both train and test; expected disjoint lists`);
}

function checkFormat(json: Record<string, unknown>): DatasetFormat {
  const f = objectField(json, 'format', 'manifest');
  if (typeof f.data_file !== 'string' || f.data_file.length === 0 || /[\\/]/.test(f.data_file)) {
    fail('manifest.format.data_file', 'a file name without directories', f.data_file);
  }
  if (f.dtype !== 'float32') fail('manifest.format.dtype', '"float32"', f.dtype);
  if (f.byte_order !== 'little') fail('manifest.format.byte_order', '"little"', f.byte_order);
  intField(f, 'num_persons', 'manifest.format', 1);
  intField(f, 'num_joints', 'manifest.format', 1);
  intField(f, 'coord_dims', 'manifest.format', 1);
  if (f.total_frames !== undefined) intField(f, 'total_frames', 'manifest.format', 1);
  if (f.data_bytes !== undefined) intField(f, 'data_bytes', 'manifest.format', 1);
  if (f.score_file !== undefined) {
    if (typeof f.score_file !== 'string' || f.score_file.length === 0 || /[\\/]/.test(f.score_file) || f.score_file === f.data_file) {
      fail('manifest.format.score_file', 'a file name without directories, other than data_file', f.score_file);
    }
  }
  return f as DatasetFormat;
}

function checkJoints(json: Record<string, unknown>, v: number): void {
  const j = objectField(json, 'joints', 'manifest');
  stringList(j.names, 'manifest.joints.names', v);
  if (!Array.isArray(j.edges)) fail('manifest.joints.edges', 'an array of [i, j] joint pairs', j.edges);
  j.edges.forEach((e, k) => {
    if (!Array.isArray(e) || e.length !== 2 || !e.every((x) => isInt(x, 0) && x < v)) {
      fail(`manifest.joints.edges[${k}]`, `a pair of joint indices in [0, ${v - 1}]`, e);
    }
  });
  if (j.center_joint !== undefined && (!isInt(j.center_joint, 0) || j.center_joint >= v)) {
    fail('manifest.joints.center_joint', `a joint index in [0, ${v - 1}]`, j.center_joint);
  }
}

function checkSamples(json: Record<string, unknown>, f: DatasetFormat, numClasses: number): void {
  const samples = json.samples;
  if (!Array.isArray(samples) || samples.length === 0) fail('manifest.samples', 'a non-empty array of sample entries', samples);
  const frameValues = f.num_persons * f.num_joints * f.coord_dims;
  const ids = new Map<string, number>();
  let nextFrame = 0;
  samples.forEach((s, i) => {
    const path = `manifest.samples[${i}]`;
    if (!isObject(s)) fail(path, 'an object', s);
    if (typeof s.id !== 'string' || s.id.length === 0) fail(`${path}.id`, 'a non-empty string', s.id);
    const twin = ids.get(s.id);
    if (twin !== undefined) fail(`${path}.id`, `an id not used before (samples[${twin}] has it)`, s.id);
    ids.set(s.id, i);
    if (!isInt(s.label, 0) || s.label >= numClasses) {
      fail(`${path}.label`, `a class index in [0, ${numClasses - 1}] (manifest.classes has ${numClasses})`, s.label);
    }
    intField(s, 'frames', path, 1);
    const frameOffset = intField(s, 'frame_offset', path, 0);
    if (frameOffset !== nextFrame) {
      fail(`${path}.frame_offset`, `${nextFrame} (samples are stored back to back in file order)`, frameOffset);
    }
    const bytes = frameOffset * frameValues * 4;
    if (s.byte_offset !== bytes) fail(`${path}.byte_offset`, `${bytes} (= frame_offset ${frameOffset} x M x V x C x 4)`, s.byte_offset);
    if (s.index !== undefined && s.index !== i) fail(`${path}.index`, `${i} (its position)`, s.index);
    if ((s.image_height === undefined) !== (s.image_width === undefined)) {
      fail(`${path}`, 'both image_height and image_width, or neither', { image_height: s.image_height, image_width: s.image_width });
    }
    for (const key of ['image_height', 'image_width'] as const) {
      const v = s[key];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) fail(`${path}.${key}`, 'a positive number of pixels', v);
    }
    nextFrame += s.frames as number;
  });
  if (f.total_frames !== undefined && f.total_frames !== nextFrame) {
    fail('manifest.format.total_frames', `${nextFrame} (the sum of the samples' frames)`, f.total_frames);
  }
  if (f.data_bytes !== undefined && f.data_bytes !== nextFrame * frameValues * 4) {
    fail('manifest.format.data_bytes', `${nextFrame * frameValues * 4} (= total frames ${nextFrame} x M x V x C x 4)`, f.data_bytes);
  }
}

function checkSplits(json: Record<string, unknown>, size: number): void {
  const splits = objectField(json, 'splits', 'manifest');
  for (const [name, p] of Object.entries(splits)) {
    const path = `manifest.splits.${name}`;
    if (!isObject(p)) fail(path, 'an object', p);
    if ((p.train === undefined) !== (p.test === undefined)) fail(path, 'both `train` and `test` or neither', Object.keys(p));
    if (p.train !== undefined) {
      checkDisjoint(indexList(p.train, `${path}.train`, size), indexList(p.test, `${path}.test`, size), path);
    }
    if (p.folds !== undefined) {
      if (!Array.isArray(p.folds) || p.folds.length === 0) fail(`${path}.folds`, 'a non-empty array of folds', p.folds);
      p.folds.forEach((fold, k) => {
        const fp = `${path}.folds[${k}]`;
        if (!isObject(fold)) fail(fp, 'an object with a `test` list', fold);
        const test = indexList(fold.test, `${fp}.test`, size);
        if (fold.train !== undefined) checkDisjoint(indexList(fold.train, `${fp}.train`, size), test, fp);
      });
    }
  }
}

/**
 * Validates parsed `manifest.json` content and returns it typed: the format block (float32,
 * little-endian, integer M, V, C >= 1), classes, joints (V names, edges and centre in range),
 * per-sample `id` (unique), `label` (in range of `classes`), `frames >= 1`, `frame_offset` (samples
 * back to back) and `byte_offset = frame_offset * M * V * C * 4`, recorded totals, and split index
 * lists (in range, train and test disjoint). Errors name the field path, e.g. `manifest.samples[12].frames`.
 *
 * @example
 * ```ts
 * import { parseDatasetManifest } from 'ske2grid';
 * const manifest = parseDatasetManifest(await (await fetch('datasets/nw_ucla/manifest.json')).json());
 * manifest.classes.length; // 10; manifest.format: 1 person, 20 joints, 3 coordinates
 * ```
 */
export function parseDatasetManifest(json: unknown): DatasetManifest {
  if (!isObject(json)) fail('manifest', 'a JSON object', json);
  if (typeof json.name !== 'string' || json.name.length === 0) fail('manifest.name', 'a non-empty string', json.name);
  const format = checkFormat(json);
  const classes = stringList(json.classes, 'manifest.classes');
  checkJoints(json, format.num_joints);
  if (json.coords !== undefined) {
    const coords = objectField(json, 'coords', 'manifest');
    if (coords.names !== undefined) stringList(coords.names, 'manifest.coords.names', format.coord_dims);
  }
  checkSamples(json, format, classes.length);
  checkSplits(json, (json.samples as unknown[]).length);
  const joints = json.joints as DatasetJoints;
  if (joints.center_joint === undefined) return { ...json, joints: { ...joints, center_joint: 0 } } as DatasetManifest;
  return json as DatasetManifest;
}

/**
 * The dataset's skeleton as a {@link SkeletonLayout}: name = dataset name, joints, edges, centre = `center_joint`.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, layoutFromManifest, type DatasetManifest } from 'ske2grid';
 * declare const manifest: DatasetManifest;
 * const { num_persons: persons, coord_dims: inChannels } = manifest.format;
 * const model = buildSke2Grid({ layout: layoutFromManifest(manifest), persons, inChannels, numClasses: manifest.classes.length });
 * ```
 */
export function layoutFromManifest(m: DatasetManifest): SkeletonLayout {
  return defineLayout({ name: m.name, joints: m.joints.names, edges: m.joints.edges, center: m.joints.center_joint });
}

/**
 * Number of float32 values (`frames * M * V * C`) of sample `index` (0-based, not range-checked).
 *
 * @example
 * ```ts
 * import { sampleValueCount, type DatasetManifest } from 'ske2grid';
 * declare const manifest: DatasetManifest; // M = 1, V = 20, C = 3
 * sampleValueCount(manifest, 0); // manifest.samples[0].frames * 60
 * ```
 */
export function sampleValueCount(m: DatasetManifest, index: number): number {
  return m.samples[index].frames * m.format.num_persons * m.format.num_joints * m.format.coord_dims;
}

/**
 * Size in bytes the data file must have: the sum of `frames * M * V * C * 4` over all samples.
 *
 * @example
 * ```ts
 * import { expectedDataBytes, type DatasetManifest } from 'ske2grid';
 * declare const manifest: DatasetManifest, data: Blob; // the manifest and its data file
 * if (data.size !== expectedDataBytes(manifest)) throw new Error('data.f32 does not match the manifest');
 * ```
 */
export function expectedDataBytes(m: DatasetManifest): number {
  const frameBytes = m.format.num_persons * m.format.num_joints * m.format.coord_dims * 4;
  return m.samples.reduce((sum, s) => sum + s.frames * frameBytes, 0);
}

/**
 * The names of the protocols in `manifest.splits`.
 *
 * @example
 * ```ts
 * import { datasetProtocols, type DatasetManifest } from 'ske2grid';
 * declare const manifest: DatasetManifest;
 * datasetProtocols(manifest); // ['cross_view'] for NW-UCLA, ['five_fold_cv'] for SBU
 * ```
 */
export function datasetProtocols(m: DatasetManifest): string[] {
  return Object.keys(m.splits);
}

/**
 * Train and test sample indices of `protocol` (a key of `manifest.splits`). A protocol with
 * `train`/`test` lists returns them; one with `folds[]` needs `fold` (0-based): its `test` list, and
 * its `train` list or, when the fold has none, every other fold's test samples; `loocv` without lists is
 * leave-one-out with `fold` = the held-out sample index. Unknown protocols or folds raise an error
 * listing what exists. The arrays are fresh copies.
 *
 * @example
 * ```ts
 * import { datasetSplit, type DatasetManifest } from 'ske2grid';
 * declare const nwUcla: DatasetManifest, sbu: DatasetManifest;
 * const { train, test } = datasetSplit(nwUcla, 'cross_view'); // sample indices
 * const fold0 = datasetSplit(sbu, 'five_fold_cv', 0); // protocols with folds need the fold (0-based)
 * ```
 */
export function datasetSplit(m: DatasetManifest, protocol: string, fold?: number): DatasetSplit {
  const names = datasetProtocols(m);
  const p = Object.prototype.hasOwnProperty.call(m.splits, protocol) ? m.splits[protocol] : undefined;
  if (p === undefined) fail('protocol', `one of ${names.map((n) => JSON.stringify(n)).join(', ')} (dataset ${JSON.stringify(m.name)})`, protocol);
  if (p.folds !== undefined && p.train === undefined) {
    const k = p.folds.length;
    if (!isInt(fold, 0) || fold >= k) fail('fold', `a fold index in [0, ${k - 1}] for protocol ${JSON.stringify(protocol)}`, fold);
    const chosen = p.folds[fold];
    const train = chosen.train ?? p.folds.flatMap((f, j) => (j === fold ? [] : f.test)).sort((a, b) => a - b);
    return { train: [...train], test: [...chosen.test] };
  }
  if (fold !== undefined && p.train !== undefined) fail('fold', `undefined (protocol ${JSON.stringify(protocol)} has no folds)`, fold);
  if (p.train !== undefined && p.test !== undefined) return { train: [...p.train], test: [...p.test] };
  if (protocol === 'loocv') {
    const n = m.samples.length;
    if (!isInt(fold, 0) || fold >= n) fail('fold', `the held-out sample index in [0, ${n - 1}] for leave-one-out`, fold);
    return { train: m.samples.map((_, i) => i).filter((i) => i !== fold), test: [fold] };
  }
  throw new Ske2GridError(`protocol ${JSON.stringify(protocol)}: expected train/test lists or folds, got neither (${describe(p.description ?? '')})`);
}

/**
 * Sample `index` as a {@link SkeletonSequence} `[M][T][V][C]` (with `label` and `id`), transposed
 * from the file's frame-major `[T][M][V][C]`. `data` is the whole data file as float32 values, or
 * only the sample's values with `{ sampleSlice: true }`. Checks that `data` is long enough and
 * that every value is finite; errors name the sample id and the position. `sampleSlice` default false.
 *
 * @example
 * ```ts
 * import { parseDatasetManifest, sequenceFromBuffer } from 'ske2grid';
 * const manifest = parseDatasetManifest(await (await fetch('nw_ucla/manifest.json')).json());
 * const data = new Float32Array(await (await fetch('nw_ucla/data.f32')).arrayBuffer()); // little-endian host
 * const seq = sequenceFromBuffer(manifest, data, 0); // sample 0 as [M][T][V][C], with label and id
 * ```
 */
export function sequenceFromBuffer(m: DatasetManifest, data: Float32Array, index: number, options: SequenceFromBufferOptions = {}): SkeletonSequence {
  const n = m.samples.length;
  if (!isInt(index, 0) || index >= n) fail('index', `a sample index in [0, ${n - 1}]`, index);
  if (!(data instanceof Float32Array)) fail('data', 'a Float32Array', data);
  const s = m.samples[index];
  const { num_persons: persons, num_joints: joints, coord_dims: dims } = m.format;
  const count = sampleValueCount(m, index);
  const start = options.sampleSlice ? 0 : s.frame_offset * persons * joints * dims;
  const what = `sample ${JSON.stringify(s.id)} (manifest.samples[${index}])`;
  if (options.sampleSlice ? data.length !== count : data.length < start + count) {
    const expected = options.sampleSlice ? `exactly ${count}` : `at least ${start + count}`;
    throw new Ske2GridError(
      `data: expected ${expected} float32 values to hold ${what}, frames ${s.frame_offset}..${s.frame_offset + s.frames - 1}; got ${data.length}`,
    );
  }
  const keypoint = new Float32Array(count);
  const row = joints * dims;
  for (let t = 0; t < s.frames; t++) {
    for (let p = 0; p < persons; p++) {
      const from = start + (t * persons + p) * row;
      for (let k = 0; k < row; k++) {
        const value = data[from + k];
        if (!Number.isFinite(value)) {
          throw new Ske2GridError(
            `${what}: value ${value} at [frame ${t}, person ${p}, joint ${Math.floor(k / dims)}, coord ${k % dims}]; expected finite numbers`,
          );
        }
      }
      keypoint.set(data.subarray(from, from + row), (p * s.frames + t) * row);
    }
  }
  const seq: SkeletonSequence = { keypoint, persons, frames: s.frames, joints, dims, label: s.label, id: s.id };
  if (options.score !== undefined) seq.score = scoreOfSample(m, options.score, index, options.sampleSlice === true, what);
  if (s.image_height !== undefined && s.image_width !== undefined) seq.imageShape = [s.image_height, s.image_width];
  return seq;
}

/** The `[M][T][V]` scores of sample `index`, transposed from the score file's `[T][M][V]`. */
function scoreOfSample(m: DatasetManifest, data: Float32Array, index: number, sampleSlice: boolean, what: string): Float32Array {
  if (!(data instanceof Float32Array)) fail('options.score', 'a Float32Array', data);
  const s = m.samples[index];
  const { num_persons: persons, num_joints: joints } = m.format;
  const count = s.frames * persons * joints;
  const start = sampleSlice ? 0 : s.frame_offset * persons * joints;
  if (sampleSlice ? data.length !== count : data.length < start + count) {
    const expected = sampleSlice ? `exactly ${count}` : `at least ${start + count}`;
    throw new Ske2GridError(`score: expected ${expected} float32 values to hold the scores of ${what}, got ${data.length}`);
  }
  const score = new Float32Array(count);
  for (let t = 0; t < s.frames; t++) {
    for (let p = 0; p < persons; p++) {
      const from = start + (t * persons + p) * joints;
      for (let v = 0; v < joints; v++) {
        if (!Number.isFinite(data[from + v])) {
          throw new Ske2GridError(`${what}: score ${data[from + v]} at [frame ${t}, person ${p}, joint ${v}]; expected finite numbers`);
        }
      }
      score.set(data.subarray(from, from + joints), (p * s.frames + t) * joints);
    }
  }
  return score;
}

/**
 * Size in bytes the score file (`manifest.format.score_file`) must have: the sum of `frames * M * V * 4`.
 *
 * @example
 * ```ts
 * import { expectedScoreBytes, type DatasetManifest } from 'ske2grid';
 * declare const manifest: DatasetManifest; // 1 person, 17 joints, 100 frames in all
 * expectedScoreBytes(manifest); // 6800
 * ```
 */
export function expectedScoreBytes(m: DatasetManifest): number {
  const frameBytes = m.format.num_persons * m.format.num_joints * 4;
  return m.samples.reduce((sum, s) => sum + s.frames * frameBytes, 0);
}
