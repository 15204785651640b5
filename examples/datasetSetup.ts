/**
 * Shared setup of the dataset examples: command-line options, opening a dataset directory (the
 * manifest + float32 format), and the train / test pipelines chosen from its skeleton.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import {
  clipBatchDataset,
  datasetProtocols,
  datasetSplit,
  layoutFromManifest,
  pysklTestPipeline,
  pysklTrainPipeline,
  randomRotation,
  randomScale,
  REFERENCE_BLOCKS,
  type BlockSpec,
  type ClipBatchDataset,
  type FormattedClips,
  type PysklPipelineOptions,
  type SkeletonLayout,
  type SkeletonSequence,
} from '../src/index.js';
import { openSkeletonDataset, type SkeletonDataset } from '../src/node.js';

/** The reference channel plan (64, 128, 256; temporal stride 2 at blocks 4 and 7) scaled so the first blocks have `width` channels. */
export function blocksOfWidth(width: number): BlockSpec[] {
  return REFERENCE_BLOCKS.map((b) => ({ filters: (b.filters / 64) * width, stride: b.stride }));
}

/** Reads `--name value` from the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** Everything the examples need to train and evaluate on one dataset split. */
export interface ExampleData {
  data: SkeletonDataset;
  layout: SkeletonLayout;
  protocol: string;
  train: ClipBatchDataset;
  testIndices: number[];
  testClips: (seq: SkeletonSequence) => FormattedClips;
  numClasses: number;
  persons: number;
  frames: number;
  dims: number;
}

/**
 * Joints for the 3D view normalisation found by name: centre = the manifest's centre joint,
 * spine = (hip centre -> spine or neck), shoulders = (right -> left). Undefined when not found.
 */
function alignmentJoints(layout: SkeletonLayout): PysklPipelineOptions['normalize3D'] | undefined {
  const find = (...names: string[]) => names.map((n) => layout.joints.indexOf(n)).find((i) => i >= 0);
  const base = find('hip_center', 'spine_base', 'torso', 'pelvis');
  const top = find('spine', 'spine_mid', 'neck', 'shoulder_center');
  const right = find('shoulder_right', 'right_shoulder');
  const left = find('shoulder_left', 'left_shoulder');
  if ([base, top, right, left].some((i) => i === undefined) || base === top) return undefined;
  return { centerJoint: layout.center ?? 0, zAxis: [base!, top!], xAxis: [right!, left!] };
}

/** Opens `--data` (default: UTKinect beside the repository) and builds the pipelines and the training batches. */
export async function setUpDataset(defaults: { frames: number; batchSize: number }): Promise<ExampleData> {
  await tf.setBackend(option('--backend', 'wasm'));
  await tf.ready();
  const dir = option('--data', '../shared/datasets/utkinect');
  const data = await openSkeletonDataset(dir);
  const m = data.manifest;
  const protocol = option('--protocol', datasetProtocols(m)[0]);
  const fold = option('--fold', '');
  const split = datasetSplit(m, protocol, fold === '' ? undefined : Number(fold));
  const layout = layoutFromManifest(m);
  const dims = m.format.coord_dims;
  const frames = Number(option('--frames', String(defaults.frames)));
  const persons = m.format.num_persons;
  const align = dims === 3 ? alignmentJoints(layout) : undefined;
  // 3D data: the reference PreNormalize3D when the spine and shoulders are known, else centring only.
  // 2D data stored in [0, 1] image units: PreNormalize2D with a 1 x 1 "image" maps it to [-1, 1].
  const pipeline: PysklPipelineOptions =
    dims === 3
      ? { kind: '3d', clipLen: frames, persons, layout, normalize3D: align ?? { centerJoint: layout.center ?? 0, alignSpine: false } }
      : { kind: '2d', clipLen: frames, persons, layout, normalize2D: { imageShape: [1, 1] } };
  const train = clipBatchDataset(data, {
    indices: split.train,
    numClasses: m.classes.length,
    batchSize: Number(option('--batch', String(defaults.batchSize))),
    seed: Number(option('--seed', '0')),
    clips: pysklTrainPipeline({
      ...pipeline,
      augmentations: [
        (s: SkeletonSequence, r) => randomRotation(s, r, { maxDegrees: 15 }),
        (s: SkeletonSequence, r) => randomScale(s, r, { range: [0.9, 1.1] }),
      ],
    }),
  });
  console.log(
    `${m.name}: ${data.size} clips, ${m.classes.length} classes, ${layout.joints.length} joints x ${dims}D, ${persons} person(s); ` +
      `protocol ${protocol}: ${split.train.length} train / ${split.test.length} test; backend ${tf.getBackend()}`,
  );
  return {
    data,
    layout,
    protocol,
    train,
    testIndices: split.test,
    testClips: pysklTestPipeline({ ...pipeline, numClips: Number(option('--clips', '5')) }),
    numClasses: m.classes.length,
    persons,
    frames,
    dims,
  };
}
