import { describe, expect, it } from 'vitest';
import {
  datasetProtocols,
  datasetSplit,
  expectedDataBytes,
  layoutFromManifest,
  parseDatasetManifest,
  sequenceFromBuffer,
  type DatasetManifest,
} from '../../../src/data/readers/datasetManifest.js';
import { checkSequence } from '../../../src/data/skeletonSequence.js';
import { Ske2GridError } from '../../../src/errors.js';

/** A tiny valid manifest: M=2, V=3, C=2, samples of 2, 1 and 3 frames (12 values per frame, 72 in all). */
function tinyManifest(): Record<string, any> {
  return {
    name: 'tiny',
    classes: ['a', 'b', 'c'],
    joints: {
      names: ['root', 'left', 'right'],
      edges: [
        [1, 0],
        [2, 0],
      ],
      center_joint: 0,
    },
    coords: { names: ['x', 'y'], units: 'px' },
    format: {
      data_file: 'data.f32',
      dtype: 'float32',
      byte_order: 'little',
      num_persons: 2,
      num_joints: 3,
      coord_dims: 2,
      total_frames: 6,
      data_bytes: 288,
    },
    splits: {
      holdout: { description: 'fixed', train: [0, 1], test: [2] },
      cv: { folds: [{ test: [0] }, { test: [1] }, { test: [2] }] },
      cvWithTrain: {
        folds: [
          { train: [1], test: [0] },
          { train: [0, 2], test: [1] },
        ],
      },
      loocv: { description: 'leave one out' },
      prose: { description: 'only words' },
    },
    samples: [
      { id: 's0', label: 2, frames: 2, frame_offset: 0, byte_offset: 0, index: 0, subject: 1 },
      { id: 's1', label: 0, frames: 1, frame_offset: 2, byte_offset: 96, index: 1, subject: 2 },
      { id: 's2', label: 1, frames: 3, frame_offset: 3, byte_offset: 144, index: 2, subject: 1 },
    ],
  };
}

/** The whole data file of {@link tinyManifest}: value i at position i. */
const FILE = Float32Array.from({ length: 72 }, (_, i) => i);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** `parseDatasetManifest` of `tinyManifest()` after `edit` throws a Ske2GridError matching `message`. */
function rejects(edit: (m: Record<string, any>) => void, message: string | RegExp): void {
  const m = tinyManifest();
  edit(m);
  let error: unknown;
  try {
    parseDatasetManifest(m);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Ske2GridError);
  expect((error as Error).message).toMatch(message);
}

describe('parseDatasetManifest', () => {
  it('accepts a valid manifest, keeps unknown fields and defaults center_joint to 0', () => {
    const m = parseDatasetManifest(tinyManifest());
    expect(m.samples[2].subject).toBe(1);
    expect(m.format.num_persons).toBe(2);
    expect(expectedDataBytes(m)).toBe(288);
    const raw = tinyManifest();
    delete raw.joints.center_joint;
    delete raw.format.total_frames;
    delete raw.format.data_bytes;
    delete raw.coords;
    expect(parseDatasetManifest(raw).joints.center_joint).toBe(0);
  });
});

describe('parseDatasetManifest errors', () => {
  it('rejects non-objects and a missing name', () => {
    expect(() => parseDatasetManifest(null)).toThrow(/manifest: expected a JSON object, got null/);
    expect(() => parseDatasetManifest([1])).toThrow(/manifest: expected a JSON object/);
    rejects((m) => delete m.name, 'manifest.name: expected a non-empty string, got undefined');
  });

  it('checks the format block', () => {
    rejects((m) => delete m.format, 'manifest.format: expected an object, got undefined');
    rejects((m) => (m.format.dtype = 'float64'), 'manifest.format.dtype: expected "float32", got "float64"');
    rejects((m) => (m.format.byte_order = 'big'), 'manifest.format.byte_order: expected "little", got "big"');
    rejects((m) => (m.format.data_file = '../data.f32'), 'manifest.format.data_file: expected a file name without directories');
    rejects((m) => (m.format.num_persons = 0), 'manifest.format.num_persons: expected an integer >= 1, got 0');
    rejects((m) => (m.format.num_joints = 2.5), 'manifest.format.num_joints: expected an integer >= 1, got 2.5');
    rejects((m) => (m.format.coord_dims = '3'), 'manifest.format.coord_dims: expected an integer >= 1, got "3"');
    rejects((m) => (m.format.total_frames = 7), "manifest.format.total_frames: expected 6 (the sum of the samples' frames), got 7");
    rejects((m) => (m.format.data_bytes = 287), 'manifest.format.data_bytes: expected 288 (= total frames 6 x M x V x C x 4), got 287');
  });

  it('checks classes, joints and coords', () => {
    rejects((m) => (m.classes = []), 'manifest.classes: expected a non-empty array of strings, got []');
    rejects((m) => (m.classes[1] = 4), 'manifest.classes[1]: expected a non-empty string, got 4');
    rejects((m) => m.joints.names.pop(), 'manifest.joints.names: expected 3 entries, got "2 entries"');
    rejects((m) => (m.joints.edges[1] = [2, 3]), 'manifest.joints.edges[1]: expected a pair of joint indices in [0, 2], got [2, 3]');
    rejects((m) => (m.joints.center_joint = 3), 'manifest.joints.center_joint: expected a joint index in [0, 2], got 3');
    rejects((m) => (m.coords.names = ['x', 'y', 'z']), 'manifest.coords.names: expected 2 entries, got "3 entries"');
  });

  it('checks every sample entry', () => {
    rejects((m) => (m.samples = []), 'manifest.samples: expected a non-empty array of sample entries, got []');
    rejects((m) => (m.samples[1] = 5), 'manifest.samples[1]: expected an object, got 5');
    rejects((m) => (m.samples[1].frames = 0), 'manifest.samples[1].frames: expected an integer >= 1, got 0');
    rejects((m) => delete m.samples[2].frames, 'manifest.samples[2].frames: expected an integer >= 1, got undefined');
    rejects((m) => (m.samples[0].label = 3), 'manifest.samples[0].label: expected a class index in [0, 2] (manifest.classes has 3), got 3');
    rejects((m) => (m.samples[0].label = -1), 'manifest.samples[0].label: expected a class index in [0, 2]');
    rejects((m) => (m.samples[2].id = 's0'), 'manifest.samples[2].id: expected an id not used before (samples[0] has it), got "s0"');
    rejects((m) => (m.samples[2].id = ''), 'manifest.samples[2].id: expected a non-empty string, got ""');
    rejects((m) => (m.samples[2].byte_offset = 145), 'manifest.samples[2].byte_offset: expected 144 (= frame_offset 3 x M x V x C x 4), got 145');
    rejects((m) => (m.samples[1].frame_offset = 3), 'manifest.samples[1].frame_offset: expected 2 (samples are stored back to back in file order), got 3');
    rejects((m) => (m.samples[1].index = 0), 'manifest.samples[1].index: expected 1 (its position), got 0');
  });

  it('checks the split index lists', () => {
    rejects((m) => delete m.splits, 'manifest.splits: expected an object, got undefined');
    rejects((m) => (m.splits.holdout.test = [3]), 'manifest.splits.holdout.test[0]: expected a sample index in [0, 2], got 3');
    rejects((m) => (m.splits.holdout.train = [0, 2]), 'manifest.splits.holdout: sample 2 is in both train and test; expected disjoint lists');
    rejects((m) => delete m.splits.holdout.test, 'manifest.splits.holdout: expected both `train` and `test` or neither');
    rejects((m) => (m.splits.cv.folds = []), 'manifest.splits.cv.folds: expected a non-empty array of folds, got []');
    rejects((m) => (m.splits.cv.folds[1] = { train: [0] }), 'manifest.splits.cv.folds[1].test: expected an array of sample indices, got undefined');
    rejects((m) => (m.splits.cvWithTrain.folds[1].train = [1]), 'manifest.splits.cvWithTrain.folds[1]: sample 1 is in both train and test');
    rejects((m) => (m.splits.cv.folds[2].test = [1.5]), 'manifest.splits.cv.folds[2].test[0]: expected a sample index in [0, 2], got 1.5');
  });
});

describe('layoutFromManifest', () => {
  it('builds the layout from joints (names, edges, centre)', () => {
    const raw = tinyManifest();
    raw.joints.center_joint = 2;
    const layout = layoutFromManifest(parseDatasetManifest(raw));
    expect(layout.name).toBe('tiny');
    expect(layout.joints).toEqual(['root', 'left', 'right']);
    expect(layout.edges).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(layout.center).toBe(2);
  });

  it('rejects duplicate joint names (via defineLayout)', () => {
    const raw = tinyManifest();
    raw.joints.names = ['root', 'left', 'left'];
    expect(() => layoutFromManifest(parseDatasetManifest(raw))).toThrow(/joint name "left" appears twice/);
  });
});

describe('datasetSplit', () => {
  const m = parseDatasetManifest(tinyManifest());

  it('returns train/test lists of a plain protocol, as copies', () => {
    const split = datasetSplit(m, 'holdout');
    expect(split).toEqual({ train: [0, 1], test: [2] });
    split.train.push(9);
    expect(m.splits.holdout.train).toEqual([0, 1]);
    expect(datasetProtocols(m)).toEqual(['holdout', 'cv', 'cvWithTrain', 'loocv', 'prose']);
  });

  it("fold k of a folds protocol tests on fold k and trains on the other folds (or the fold's own train list)", () => {
    expect(datasetSplit(m, 'cv', 0)).toEqual({ train: [1, 2], test: [0] });
    expect(datasetSplit(m, 'cv', 1)).toEqual({ train: [0, 2], test: [1] });
    expect(datasetSplit(m, 'cv', 2)).toEqual({ train: [0, 1], test: [2] });
    expect(datasetSplit(m, 'cvWithTrain', 0)).toEqual({ train: [1], test: [0] });
    expect(datasetSplit(m, 'cvWithTrain', 1)).toEqual({ train: [0, 2], test: [1] });
  });

  it('loocv without lists holds out sample `fold`', () => {
    expect(datasetSplit(m, 'loocv', 1)).toEqual({ train: [0, 2], test: [1] });
  });

  it('rejects unknown protocols (listing the available ones), bad folds and list-less protocols', () => {
    expect(() => datasetSplit(m, 'xsub')).toThrow('protocol: expected one of "holdout", "cv", "cvWithTrain", "loocv", "prose" (dataset "tiny"), got "xsub"');
    expect(() => datasetSplit(m, 'toString')).toThrow(/protocol: expected one of/);
    expect(() => datasetSplit(m, 'cv')).toThrow('fold: expected a fold index in [0, 2] for protocol "cv", got undefined');
    expect(() => datasetSplit(m, 'cv', 3)).toThrow('fold: expected a fold index in [0, 2] for protocol "cv", got 3');
    expect(() => datasetSplit(m, 'holdout', 0)).toThrow('fold: expected undefined (protocol "holdout" has no folds), got 0');
    expect(() => datasetSplit(m, 'loocv', 3)).toThrow('fold: expected the held-out sample index in [0, 2] for leave-one-out, got 3');
    expect(() => datasetSplit(m, 'prose')).toThrow('protocol "prose": expected train/test lists or folds, got neither ("only words")');
  });
});

describe('sequenceFromBuffer', () => {
  const m: DatasetManifest = parseDatasetManifest(tinyManifest());

  it("transposes the file's [T][M][V][C] to [M][T][V][C] with label and id", () => {
    const s0 = sequenceFromBuffer(m, FILE, 0);
    // frame t, person p occupy file values ((t*2 + p) * 6) .. +6
    expect(Array.from(s0.keypoint)).toEqual([...range(0, 6), ...range(12, 18), ...range(6, 12), ...range(18, 24)]);
    expect(s0).toMatchObject({ persons: 2, frames: 2, joints: 3, dims: 2, label: 2, id: 's0' });
    expect(s0.score).toBeUndefined();
    checkSequence(s0, 's0', 3);

    const s2 = sequenceFromBuffer(m, FILE, 2);
    expect(Array.from(s2.keypoint)).toEqual([...range(36, 42), ...range(48, 54), ...range(60, 66), ...range(42, 48), ...range(54, 60), ...range(66, 72)]);
    expect(s2).toMatchObject({ frames: 3, label: 1, id: 's2' });
  });

  it('reads a sample from its own slice', () => {
    const s1 = sequenceFromBuffer(m, FILE.slice(24, 36), 1, { sampleSlice: true });
    expect(Array.from(s1.keypoint)).toEqual(range(24, 36));
    expect(s1).toMatchObject({ frames: 1, label: 0, id: 's1' });
    const s2 = sequenceFromBuffer(m, FILE.slice(36), 2, { sampleSlice: true });
    expect(Array.from(s2.keypoint)).toEqual(Array.from(sequenceFromBuffer(m, FILE, 2).keypoint));
  });

  it('rejects short buffers, wrong slices, bad indices and non-finite values (naming sample and position)', () => {
    expect(() => sequenceFromBuffer(m, FILE.subarray(0, 71), 2)).toThrow(
      'data: expected at least 72 float32 values to hold sample "s2" (manifest.samples[2]), frames 3..5; got 71',
    );
    expect(() => sequenceFromBuffer(m, FILE, 1, { sampleSlice: true })).toThrow(
      'data: expected exactly 12 float32 values to hold sample "s1" (manifest.samples[1]), frames 2..2; got 72',
    );
    expect(() => sequenceFromBuffer(m, FILE, 3)).toThrow('index: expected a sample index in [0, 2], got 3');
    expect(() => sequenceFromBuffer(m, [1, 2] as unknown as Float32Array, 0)).toThrow('data: expected a Float32Array, got [1, 2]');
    const bad = FILE.slice();
    bad[36 + 12 + 6 + 3] = NaN; // sample 2, frame 1, person 1, joint 1, coord 1
    expect(() => sequenceFromBuffer(m, bad, 2)).toThrow(
      'sample "s2" (manifest.samples[2]): value NaN at [frame 1, person 1, joint 1, coord 1]; expected finite numbers',
    );
    bad[36 + 12 + 6 + 3] = 0;
    bad[5] = Infinity;
    expect(() => sequenceFromBuffer(m, bad, 0)).toThrow(/sample "s0" .*value Infinity at \[frame 0, person 0, joint 2, coord 1\]/);
    expect(() => sequenceFromBuffer(m, bad, 1)).not.toThrow();
  });
});
