import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDatasetManifest, type DatasetManifest, type DatasetProtocol } from '../data/readers/datasetManifest.js';
import { checkSequence, type SkeletonSequence } from '../data/skeletonSequence.js';
import { Ske2GridError, describe, fail } from '../errors.js';
import { resolveLayout, type LayoutName } from '../layouts/registry.js';
import type { SkeletonLayout } from '../layouts/skeletonLayout.js';
import { DATASET_CHECKSUMS, DATASET_MANIFEST } from './datasetDirectory.js';

/** Options of {@link writeSkeletonDataset}. */
export interface WriteSkeletonDatasetOptions {
  /** Dataset identifier (`manifest.name`, also the name of its layout). Required. */
  name: string;
  /** Class names; every sequence's `label` indexes this list. Required. */
  classes: string[];
  /** The skeleton: a built-in layout name or a layout (joint names, edges, centre). Required. */
  layout: LayoutName | SkeletonLayout;
  /**
   * Protocols by name (`{ train, test }` index lists or `{ folds }`); default one protocol `holdout`:
   * every fifth sample of each class (the 5th, 10th, ... in the given order) to test, the rest to train.
   */
  splits?: Record<string, DatasetProtocol>;
  /** `manifest.coords` (`names` of length C, `units`); default `{ names: ['x', 'y'] }` or `['x', 'y', 'z']` by C, no units. */
  coords?: { names?: string[]; units?: string };
  /** Extra fields of sample i's manifest entry (subject, camera, ...); default none. Reserved fields cannot be set. */
  sampleFields?: (seq: SkeletonSequence, index: number) => Record<string, unknown>;
  /** Further top-level manifest fields (`title`, `source`, `license`, ...); default none. */
  extra?: Record<string, unknown>;
  /** Write into a directory that already has files (they are replaced); default false (refused). */
  overwrite?: boolean;
}

const RESERVED = new Set(['id', 'label', 'frames', 'frame_offset', 'byte_offset', 'index', 'image_height', 'image_width']);

/** The default protocol: every fifth sample of each class to test. */
function holdoutSplit(labels: number[]): Record<string, DatasetProtocol> {
  const seen = new Map<number, number>();
  const train: number[] = [];
  const test: number[] = [];
  labels.forEach((label, i) => {
    const k = (seen.get(label) ?? 0) + 1;
    seen.set(label, k);
    (k % 5 === 0 ? test : train).push(i);
  });
  if (test.length === 0)
    throw new Ske2GridError('splits: expected at least 5 samples of one class for the default holdout split, got fewer; pass options.splits');
  return { holdout: { description: 'every fifth sample of each class (in recording order) for testing', train, test } };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes sequences as a dataset directory that {@link openSkeletonDataset} reads: `manifest.json`,
 * `data.f32` (float32 little-endian `[sample][frame][person][joint][coord]`), `score.f32` when the
 * sequences carry scores (`[sample][frame][person][joint]`, named by `format.score_file`) and
 * `SHA256SUMS`. Every sequence needs a `label` and the same persons, joints (the layout's) and dims;
 * scores on all or none; `imageShape` becomes the sample's `image_height` / `image_width`; ids
 * default to `sample_00000`, .... Validated before anything is written (the manifest through
 * `parseDatasetManifest`). Returns the manifest. Defaults in {@link WriteSkeletonDatasetOptions}.
 *
 * @example
 * ```ts
 * import { posesToSequence, type PoseInput } from 'ske2grid';
 * import { writeSkeletonDataset } from 'ske2grid/node';
 * declare const recordings: { frames: PoseInput[][]; label: number }[]; // MoveNet output per video frame
 * const sequences = recordings.map((r) => ({ ...posesToSequence(r.frames, { persons: 1 }), label: r.label }));
 * await writeSkeletonDataset('datasets/my-gestures', sequences, { name: 'my_gestures', classes: ['wave', 'clap'], layout: 'coco' });
 * ```
 */
export async function writeSkeletonDataset(
  dir: string,
  sequences: readonly SkeletonSequence[],
  options: WriteSkeletonDatasetOptions,
): Promise<DatasetManifest> {
  if (typeof dir !== 'string' || dir.length === 0) fail('dir', 'a directory path', dir);
  if (!Array.isArray(sequences) || sequences.length === 0) fail('sequences', 'a non-empty array of SkeletonSequence', sequences);
  if (options == null || typeof options !== 'object') fail('options', 'an options object with name, classes and layout', options);
  if (typeof options.name !== 'string' || options.name.length === 0) fail('options.name', 'a non-empty string', options.name);
  if (!Array.isArray(options.classes) || options.classes.length === 0) fail('options.classes', 'a non-empty array of class names', options.classes);
  const layout = resolveLayout(options.layout);
  const first = sequences[0];
  const persons = first?.persons;
  const joints = layout.joints.length;
  const dims = first?.dims;
  const withScores = first?.score !== undefined;
  sequences.forEach((s, i) => {
    const what = `sequences[${i}]`;
    checkSequence(s, what, options.classes.length);
    if (s.label === undefined) fail(`${what}.label`, `a class index in [0, ${options.classes.length - 1}]`, s.label);
    if (s.joints !== joints) fail(`${what}.joints`, `${joints} (layout ${describe(layout.name)})`, s.joints);
    if (s.persons !== persons) fail(`${what}.persons`, `${persons} (as sequences[0])`, s.persons);
    if (s.dims !== dims) fail(`${what}.dims`, `${dims} (as sequences[0])`, s.dims);
    if ((s.score !== undefined) !== withScores)
      fail(`${what}.score`, withScores ? 'scores (sequences[0] has them)' : 'none (sequences[0] has none)', s.score === undefined ? 'none' : 'scores');
    if (s.imageShape !== undefined && !(s.imageShape.length === 2 && s.imageShape.every((x: number) => Number.isFinite(x) && x > 0))) {
      fail(`${what}.imageShape`, '[height, width] with positive sizes', s.imageShape);
    }
  });

  const frameValues = persons * joints * dims;
  const totalFrames = sequences.reduce((n, s) => n + s.frames, 0);
  const data = new DataView(new ArrayBuffer(totalFrames * frameValues * 4));
  const scores = withScores ? new DataView(new ArrayBuffer(totalFrames * persons * joints * 4)) : null;
  const ids = new Set<string>();
  let frameOffset = 0;
  const samples = sequences.map((s, i) => {
    const id = s.id ?? `sample_${String(i).padStart(5, '0')}`;
    if (ids.has(id)) fail(`sequences[${i}].id`, 'an id not used by an earlier sequence', id);
    ids.add(id);
    // [M][T][V][C] -> the file's frame-major [T][M][V][C]
    const row = joints * dims;
    for (let t = 0; t < s.frames; t++) {
      for (let m = 0; m < persons; m++) {
        const to = ((frameOffset + t) * persons + m) * row;
        const from = (m * s.frames + t) * row;
        for (let k = 0; k < row; k++) data.setFloat32((to + k) * 4, s.keypoint[from + k], true);
        if (scores && s.score) {
          const sTo = ((frameOffset + t) * persons + m) * joints;
          const sFrom = (m * s.frames + t) * joints;
          for (let v = 0; v < joints; v++) scores.setFloat32((sTo + v) * 4, s.score[sFrom + v], true);
        }
      }
    }
    const fields = options.sampleFields ? options.sampleFields(s, i) : {};
    if (fields == null || typeof fields !== 'object') fail(`options.sampleFields(sequences[${i}])`, 'an object of extra fields', fields);
    const clash = Object.keys(fields).find((k) => RESERVED.has(k));
    if (clash) fail(`options.sampleFields(sequences[${i}])`, `no reserved field (${[...RESERVED].join(', ')})`, clash);
    const entry: Record<string, unknown> = {
      id,
      label: s.label,
      ...fields,
      index: i,
      frames: s.frames,
      frame_offset: frameOffset,
      byte_offset: frameOffset * frameValues * 4,
    };
    if (s.imageShape) Object.assign(entry, { image_height: s.imageShape[0], image_width: s.imageShape[1] });
    frameOffset += s.frames;
    return entry;
  });

  const format: Record<string, unknown> = {
    data_file: 'data.f32',
    dtype: 'float32',
    byte_order: 'little',
    layout: '[sample][frame][person][joint][coord], samples concatenated; no padding',
    num_persons: persons,
    num_joints: joints,
    coord_dims: dims,
    total_frames: totalFrames,
    data_bytes: data.byteLength,
  };
  if (scores) format.score_file = 'score.f32';
  const manifest = parseDatasetManifest({
    ...(options.extra ?? {}),
    name: options.name,
    classes: options.classes,
    joints: { names: [...layout.joints], edges: layout.edges.map(([a, b]) => [a, b]), center_joint: layout.center ?? 0 },
    coords: options.coords ?? { names: dims === 2 ? ['x', 'y'] : dims === 3 ? ['x', 'y', 'z'] : undefined },
    splits: options.splits ?? holdoutSplit(sequences.map((s) => s.label as number)),
    format,
    samples,
  });

  await mkdir(dir, { recursive: true });
  const existing = await readdir(dir);
  if (existing.length > 0 && options.overwrite !== true) {
    throw new Ske2GridError(`dir ${describe(dir)}: expected an empty or new directory (or options.overwrite: true), got ${existing.length} entries`);
  }
  const files: [string, Uint8Array][] = [
    [DATASET_MANIFEST, new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`)],
    ['data.f32', new Uint8Array(data.buffer)],
  ];
  if (scores) files.push(['score.f32', new Uint8Array(scores.buffer)]);
  for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);
  await writeFile(join(dir, DATASET_CHECKSUMS), files.map(([name, bytes]) => `${sha256(bytes)}  ${name}\n`).join(''));
  return manifest;
}
