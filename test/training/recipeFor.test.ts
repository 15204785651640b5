import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDatasetManifest, type DatasetManifest } from '../../src/data/readers/datasetManifest.js';
import { findNormalizationJoints } from '../../src/data/transforms/normalizationJoints.js';
import { COCO17 } from '../../src/layouts/coco17.js';
import { KINECT20 } from '../../src/layouts/kinect20.js';
import { recipeFor } from '../../src/training/recipeFor.js';
import { SHARED } from '../helpers/backends.js';

const manifestOf = (name: string): DatasetManifest => parseDatasetManifest(JSON.parse(readFileSync(`${SHARED}datasets/${name}/manifest.json`, 'utf8')));
const has = (name: string) => existsSync(`${SHARED}datasets/${name}/manifest.json`);

/** The fields every recipe is asserted on. */
const core = (r: ReturnType<typeof recipeFor>) => ({
  protocol: r.protocol,
  kind: r.kind,
  channels: r.channels,
  inChannels: r.inChannels,
  persons: r.persons,
  numClasses: r.numClasses,
  trainSamples: r.trainSamples,
  medianFrames: r.medianFrames,
  normalization: r.normalization,
  clipLength: r.clipLength,
  rotationDegrees: r.rotationDegrees,
  batchSize: r.batchSize,
  stages: r.stages,
});

describe('recipeFor on the shared datasets (needs ../shared/datasets)', () => {
  it.skipIf(!has('nw_ucla'))('nw_ucla: several views -> rotation 45; 1020 clips -> batch 32, lr 0.1, 50 + 15 epochs (the hand-tuned 88.4 % recipe)', () => {
    expect(core(recipeFor(manifestOf('nw_ucla')))).toEqual({
      protocol: 'cross_view',
      kind: '3d',
      channels: ['x', 'y', 'z'],
      inChannels: 3,
      persons: 1,
      numClasses: 10,
      trainSamples: 1020,
      medianFrames: 34,
      normalization: { kind: 'view3d', centerJoint: 1, zAxis: [0, 1], xAxis: [8, 4] },
      clipLength: 32,
      rotationDegrees: 45,
      batchSize: 32,
      stages: [
        { grid: 5, epochs: 50, learningRate: 0.1 },
        { grid: 6, epochs: 15, learningRate: 0.025 },
      ],
    });
  });

  it.skipIf(!has('msr_action3d'))('msr_action3d: one camera -> no rotation; 284 clips -> batch 16, lr 0.05, 80 epochs; head last', () => {
    expect(core(recipeFor(manifestOf('msr_action3d')))).toEqual({
      protocol: 'cross_subject_557',
      kind: '3d',
      channels: ['x', 'y', 'z'],
      inChannels: 3,
      persons: 1,
      numClasses: 20,
      trainSamples: 284,
      medianFrames: 38,
      normalization: { kind: 'view3d', centerJoint: 3, zAxis: [6, 3], xAxis: [1, 0] },
      clipLength: 32,
      rotationDegrees: 0,
      batchSize: 16,
      stages: [
        { grid: 5, epochs: 80, learningRate: 0.05 },
        { grid: 6, epochs: 24, learningRate: 0.0125 },
      ],
    });
  });

  it.skipIf(!has('sbu'))('sbu: head-first order, two persons -> lr halved; median 23 frames -> T = 16; every fold', () => {
    const r = recipeFor(manifestOf('sbu'));
    expect(core(r)).toEqual({
      protocol: 'five_fold_cv',
      kind: '3d',
      channels: ['x', 'y', 'z'],
      inChannels: 3,
      persons: 2,
      numClasses: 8,
      trainSamples: 230,
      medianFrames: 23,
      normalization: { kind: 'view3d', centerJoint: 2, zAxis: [2, 1], xAxis: [6, 3] },
      clipLength: 16,
      rotationDegrees: 0,
      batchSize: 16,
      stages: [
        { grid: 5, epochs: 80, learningRate: 0.025 },
        { grid: 6, epochs: 24, learningRate: 0.00625 },
      ],
    });
    expect([r.fold, r.folds]).toEqual([null, 5]);
    expect(recipeFor(manifestOf('sbu'), { fold: 4 }).trainSamples).toBe(217);
  });

  it.skipIf(!has('utkinect'))('utkinect: hip-first Kinect-20 -> the same joints as NW-UCLA; 100 clips -> 80 epochs', () => {
    expect(core(recipeFor(manifestOf('utkinect')))).toEqual({
      protocol: 'cross_subject_odd_even',
      kind: '3d',
      channels: ['x', 'y', 'z'],
      inChannels: 3,
      persons: 1,
      numClasses: 10,
      trainSamples: 100,
      medianFrames: 31,
      normalization: { kind: 'view3d', centerJoint: 1, zAxis: [0, 1], xAxis: [8, 4] },
      clipLength: 32,
      rotationDegrees: 0,
      batchSize: 16,
      stages: [
        { grid: 5, epochs: 80, learningRate: 0.05 },
        { grid: 6, epochs: 24, learningRate: 0.0125 },
      ],
    });
  });

  it.skipIf(!has('jhmdb_partial14'))('jhmdb_partial14: 2D without scores or image sizes -> 2 channels, centred on the belly joint', () => {
    expect(core(recipeFor(manifestOf('jhmdb_partial14')))).toEqual({
      protocol: 'split1',
      kind: '2d',
      channels: ['x', 'y'],
      inChannels: 2,
      persons: 1,
      numClasses: 14,
      trainSamples: 433,
      medianFrames: 40,
      normalization: { kind: 'center', centerJoint: 1 },
      clipLength: 32,
      rotationDegrees: 0,
      batchSize: 16,
      stages: [
        { grid: 5, epochs: 50, learningRate: 0.05 },
        { grid: 6, epochs: 15, learningRate: 0.0125 },
      ],
    });
  });
});

/** A small synthetic manifest: `names` joints, M persons, C dims, `n` samples of `frames(i)` frames. */
function manifest(
  names: string[],
  extra: { persons?: number; dims?: number; n?: number; frames?: (i: number) => number; sample?: (i: number) => object; format?: object } = {},
): DatasetManifest {
  const { persons = 1, dims = 3, n = 20, frames = () => 30 } = extra;
  let offset = 0;
  const samples = Array.from({ length: n }, (_, i) => {
    const s = {
      id: `s${i}`,
      label: i % 2,
      frames: frames(i),
      frame_offset: offset,
      byte_offset: offset * persons * names.length * dims * 4,
      ...extra.sample?.(i),
    };
    offset += s.frames;
    return s;
  });
  return parseDatasetManifest({
    name: 'synthetic',
    classes: ['a', 'b'],
    joints: { names, edges: [], center_joint: 0 },
    format: {
      data_file: 'data.f32',
      dtype: 'float32',
      byte_order: 'little',
      num_persons: persons,
      num_joints: names.length,
      coord_dims: dims,
      ...extra.format,
    },
    splits: { cv: { train: samples.map((_, i) => i).filter((i) => i % 4 !== 0), test: samples.map((_, i) => i).filter((i) => i % 4 === 0) } },
    samples,
  });
}

// A Kinect v1 order that starts at the head, names in CamelCase.
const HEAD_FIRST = [
  'Head',
  'ShoulderCenter',
  'ShoulderLeft',
  'ShoulderRight',
  'ElbowLeft',
  'ElbowRight',
  'WristLeft',
  'WristRight',
  'HandLeft',
  'HandRight',
  'Spine',
  'HipCenter',
  'HipLeft',
  'HipRight',
  'KneeLeft',
  'KneeRight',
  'AnkleLeft',
  'AnkleRight',
  'FootLeft',
  'FootRight',
];

describe('recipeFor rules (synthetic manifests)', () => {
  it('finds the normalisation joints by name in a head-first CamelCase order', () => {
    const r = recipeFor(manifest(HEAD_FIRST));
    expect(r.normalization).toEqual({ kind: 'view3d', centerJoint: 10, zAxis: [11, 10], xAxis: [3, 2] });
    expect(r.notes).toContain('normalization view3d: centre Spine, spine HipCenter -> Spine, shoulders ShoulderRight -> ShoulderLeft (found by joint name)');
  });

  it('names the missing roles and takes them by name or index', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    expect(() => recipeFor(manifest(names))).toThrow(
      "joints of layout 'synthetic': could not find spineBase (tried hip_center, spine_base, pelvis, mid_hip, hip, torso, belly, root); spineTop (tried spine, spine_mid, neck, shoulder_center, spine_shoulder, thorax, upper_neck); shoulderRight (tried shoulder_right); shoulderLeft (tried shoulder_left) among a, b, c, d, e; give them by name or index, e.g. joints: { spineBase: 'a' } (ske2grid train: --joints spineBase=a,...)",
    );
    const r = recipeFor(manifest(names), { joints: { center: 'b', spineBase: 'a', spineTop: 'b', shoulderRight: 3, shoulderLeft: 'e' } });
    expect(r.normalization).toEqual({ kind: 'view3d', centerJoint: 1, zAxis: [0, 1], xAxis: [3, 4] });
    expect(() => recipeFor(manifest(names), { joints: { spineBase: 'pelvis' } })).toThrow(
      'joints.spineBase: expected one of the joint names of layout \'synthetic\' (a, b, c, d, e) or an index, got "pelvis"',
    );
  });

  it('2D with per-sample image sizes and a score file: image normalisation, x, y, score', () => {
    const coco = COCO17.joints.slice(0, 13); // nose ... right_hip
    const m = manifest(coco, { dims: 2, persons: 2, sample: () => ({ image_height: 480, image_width: 640 }), format: { score_file: 'score.f32' } });
    const r = recipeFor(m);
    expect([r.kind, r.channels, r.inChannels, r.persons, r.normalization, r.rotationDegrees]).toEqual([
      '2d',
      ['x', 'y', 'score'],
      3,
      2,
      { kind: 'image2d' },
      0,
    ]);
  });

  it('clip length from the median length; grids from the joint count; overrides are used and noted', () => {
    expect(recipeFor(manifest(HEAD_FIRST, { frames: (i) => 60 + i })).clipLength).toBe(64);
    expect(recipeFor(manifest(HEAD_FIRST, { frames: () => 11 })).clipLength).toBe(8);
    const many = Array.from({ length: 33 }, (_, i) =>
      i === 0 ? 'spine' : i === 1 ? 'hip_center' : i === 2 ? 'left_shoulder' : i === 3 ? 'right_shoulder' : `j${i}`,
    );
    expect(recipeFor(manifest(many)).stages.map((s) => s.grid)).toEqual([6, 7]);
    const r = recipeFor(manifest(HEAD_FIRST), { grids: [5], epochs: [3], learningRates: [0.2], batchSize: 4, clipLength: 12, rotationDegrees: 10, width: 8 });
    expect([r.stages, r.batchSize, r.clipLength, r.rotationDegrees, r.width]).toEqual([[{ grid: 5, epochs: 3, learningRate: 0.2 }], 4, 12, 10, 8]);
    expect(r.notes).toContain('epochs [3]: given');
    expect(() => recipeFor(manifest(HEAD_FIRST), { grids: [4] })).toThrow(
      'options.grids[0]: expected a side with at least 20 cells (the data has 20 joints), got 4',
    );
    expect(() => recipeFor(manifest(HEAD_FIRST), { protocol: 'nope' })).toThrow('protocol: expected one of "cv" (dataset "synthetic"), got "nope"');
  });

  it('views recorded per sample turn rotations on for 3D data', () => {
    expect(recipeFor(manifest(HEAD_FIRST, { sample: (i) => ({ view: 1 + (i % 3) }) })).rotationDegrees).toBe(45);
    expect(recipeFor(manifest(HEAD_FIRST, { sample: () => ({ view: 1 }) })).rotationDegrees).toBe(0);
  });
});

describe('findNormalizationJoints', () => {
  it('Kinect-20 built-in layout', () => {
    expect(findNormalizationJoints(KINECT20)).toEqual({ centerJoint: 1, zAxis: [0, 1], xAxis: [8, 4] });
  });
  it('matches names by their words (order, case, separators, l/r)', () => {
    const layout = { name: 'odd', joints: ['Pelvis', 'NECK', 'LShoulder', 'r-shoulder'], edges: [] as [number, number][] };
    expect(findNormalizationJoints(layout)).toEqual({ centerJoint: 0, zAxis: [0, 1], xAxis: [3, 2] });
  });
});

describe('recipePipelines', () => {
  it("2D image normalisation uses each clip's image size and refuses a clip without one", async () => {
    const { recipePipelines } = await import('../../src/training/recipePipelines.js');
    const coco = ['nose', 'left_shoulder', 'right_shoulder'];
    const m = manifest(coco, { dims: 2, sample: () => ({ image_height: 100, image_width: 200 }) });
    const recipe = { ...recipeFor(m), clipLength: 1, testClips: 1 };
    const layout = { name: 'c', joints: coco, edges: [] as [number, number][] };
    const seq = { keypoint: Float32Array.from([100, 50, 0, 0, 200, 100]), persons: 1, frames: 1, joints: 3, dims: 2, imageShape: [100, 200] as const, id: 'a' };
    const { test } = recipePipelines(recipe, layout);
    expect(Array.from(test(seq).data)).toEqual([0, 0, -1, -1, 1, 1]);
    expect(() => test({ ...seq, imageShape: undefined })).toThrow(
      'sequence "a".imageShape: expected [height, width] (the recipe normalises 2D pixels by each image size), got undefined',
    );
  });
});
