import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../../src/errors.js';
import { readPysklAnnotations, type PysklAnnotations } from '../../../src/data/readers/pysklAnnotations.js';
import { dict, dumps, halfBits, type NdSpec, type Py } from '../../pickle/pickleBuilder.js';

const PYSKL = new URL('../../../../shared/fixtures/pyskl/', import.meta.url).pathname;
const hasPyskl = existsSync(`${PYSKL}expected.json`);

interface ExpectedSample {
  frame_dir: string;
  label: number;
  total_frames: number;
  keypoint_shape: [number, number, number, number];
  keypoint_sum_3d: number;
  keypoint_first: number[];
  keypoint_2d_dtype: 'float16' | 'float32';
  keypoint_2d_sum: number;
  keypoint_score_sum: number;
}
const expected = hasPyskl
  ? (JSON.parse(readFileSync(`${PYSKL}expected.json`, 'utf8')) as { num_annotations: number; split: Record<string, string[]>; samples: ExpectedSample[] })
  : undefined;

const read = (file: string, options?: Parameters<typeof readPysklAnnotations>[1]) =>
  readPysklAnnotations(new Uint8Array(readFileSync(`${PYSKL}${file}`)), options);

const sum = (a: Float32Array) => a.reduce((s, x) => s + x, 0);
const relative = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);
const isFloat16 = (x: number) => {
  try {
    halfBits(x);
    return true;
  } catch {
    return false;
  }
};

/** The message of the Ske2GridError that reading the pickle of `root` throws. */
function errorOf(root: Py, options?: Parameters<typeof readPysklAnnotations>[1]): string {
  try {
    readPysklAnnotations(dumps(root), options);
  } catch (e) {
    expect(e).toBeInstanceOf(Ske2GridError);
    return (e as Error).message;
  }
  throw new Error('expected readPysklAnnotations to throw');
}

/** A valid 2D annotation of M=1 person, `frames` frames, 2 joints: x = 10 t + v, y = 0.5, score 0.75. */
function annotation(frameDir: string, frames = 2, overrides: Record<string, Py | undefined> = {}): Map<string, Py> {
  const keypoint: NdSpec = {
    nd: 'f4',
    shape: [1, frames, 2, 2],
    values: Array.from({ length: frames * 4 }, (_, i) => (i % 2 === 0 ? 10 * Math.floor(i / 4) + ((i >> 1) % 2) : 0.5)),
  };
  const score: NdSpec = { nd: 'f2', shape: [1, frames, 2], values: new Array(frames * 2).fill(0.75) };
  const fields: Record<string, Py | undefined> = {
    frame_dir: frameDir,
    label: 1,
    img_shape: { tuple: [480, 640] },
    original_shape: { tuple: [1080, 1920] },
    total_frames: frames,
    keypoint,
    keypoint_score: score,
    ...overrides,
  };
  return dict(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, Py>);
}

const file = (annotations: Py[], split: Record<string, string[]> = { train: ['a'] }): Py =>
  dict({ split: dict(Object.fromEntries(Object.entries(split).map(([k, v]) => [k, v]))), annotations });

describe('readPysklAnnotations: the PYSKL fixtures against expected.json', () => {
  it('finds ../shared/fixtures/pyskl', () => {
    expect(hasPyskl, `missing ${PYSKL} (the shared fixtures beside the repository)`).toBe(true);
  });

  for (const protocol of [2, 4]) {
    it.skipIf(!hasPyskl)(`3D keypoints, protocol ${protocol}: ids, labels, shapes, sums to 1e-6, first values exact`, () => {
      const { split, annotations } = read(`utk6_3d_p${protocol}.pkl`);
      expect(split).toEqual(expected!.split);
      expect(annotations).toHaveLength(expected!.num_annotations);
      annotations.forEach((a, i) => {
        const want = expected!.samples[i];
        expect([a.frameDir, a.label, a.totalFrames]).toEqual([want.frame_dir, want.label, want.total_frames]);
        const s = a.keypoint;
        expect([s.persons, s.frames, s.joints, s.dims]).toEqual(want.keypoint_shape);
        expect([s.id, s.label, s.score, s.imageShape, a.imageShape, a.originalShape]).toEqual([
          want.frame_dir,
          want.label,
          undefined,
          undefined,
          undefined,
          undefined,
        ]);
        expect(relative(sum(s.keypoint), want.keypoint_sum_3d)).toBeLessThan(1e-6);
        expect(Array.from(s.keypoint.subarray(0, 6))).toEqual(want.keypoint_first);
      });
    });

    it.skipIf(!hasPyskl)(`2D keypoints, protocol ${protocol}: float16/float32 alternation, score sums, image shapes`, () => {
      const { annotations } = read(`utk6_2d_p${protocol}.pkl`);
      expect(annotations).toHaveLength(6);
      annotations.forEach((a, i) => {
        const want = expected!.samples[i];
        const s = a.keypoint;
        expect([s.persons, s.frames, s.joints, s.dims]).toEqual([1, want.total_frames, 20, 2]);
        expect(relative(sum(s.keypoint), want.keypoint_2d_sum)).toBeLessThan(1e-6);
        // float16 samples hold only float16 values; float32 samples hold values float16 cannot represent.
        const allHalf = s.keypoint.every(isFloat16);
        expect(allHalf).toBe(want.keypoint_2d_dtype === 'float16');
        expect(s.score).toBeInstanceOf(Float32Array);
        expect(s.score!.length).toBe(want.total_frames * 20);
        expect(sum(s.score!)).toBe(want.keypoint_score_sum); // float16 scores: exact in float64
        expect([a.imageShape, a.originalShape, s.imageShape]).toEqual([
          [480, 640],
          [480, 640],
          [480, 640],
        ]);
      });
    });
  }

  it.skipIf(!hasPyskl)('keeps one split, in file order, and names the available splits for an unknown one', () => {
    const val: PysklAnnotations = read('utk6_2d_p4.pkl', { split: 'xsub_val' });
    expect(val.annotations.map((a) => a.frameDir)).toEqual(['s01_e01_carry', 's01_e01_throw']);
    expect(val.split).toEqual(expected!.split);
    expect(read('utk6_3d_p2.pkl', { split: 'xsub_train' }).annotations.map((a) => a.label)).toEqual([0, 1, 2, 3]);
    expect(() => read('utk6_3d_p4.pkl', { split: 'xsub_test' })).toThrow(
      'readPysklAnnotations options.split: expected one of ["xsub_train", "xsub_val"], got "xsub_test"',
    );
  });

  it.skipIf(!hasPyskl)('checks labels against numClasses, naming the annotation', () => {
    expect(read('utk6_3d_p4.pkl', { numClasses: 6 }).annotations).toHaveLength(6);
    expect(() => read('utk6_3d_p4.pkl', { numClasses: 5 })).toThrow('annotations[5] ("s01_e01_throw").label: expected an integer in [0, 5), got int 5');
  });
});

describe('readPysklAnnotations: synthetic pickles', () => {
  it('reads a valid annotation exactly (float32 keypoints, float16 scores, tuples as shapes)', () => {
    const { split, annotations } = readPysklAnnotations(dumps(file([annotation('a', 2)])));
    expect(split).toEqual({ train: ['a'] });
    expect(annotations).toEqual([
      {
        frameDir: 'a',
        label: 1,
        totalFrames: 2,
        imageShape: [480, 640],
        originalShape: [1080, 1920],
        keypoint: {
          keypoint: Float32Array.of(0, 0.5, 1, 0.5, 10, 0.5, 11, 0.5),
          score: new Float32Array(4).fill(0.75),
          persons: 1,
          frames: 2,
          joints: 2,
          dims: 2,
          label: 1,
          id: 'a',
          imageShape: [480, 640],
        },
      },
    ]);
  });

  it('accepts a 1-frame clip, a bare list of annotations, float64 keypoints, and pads M = 0 with one zero person', () => {
    const one = readPysklAnnotations(dumps([annotation('a', 1)]));
    expect(one.split).toEqual({});
    expect(one.annotations[0].keypoint.frames).toBe(1);
    const f8 = readPysklAnnotations(
      dumps([annotation('a', 1, { keypoint: { nd: 'f8', shape: [1, 1, 1, 3], values: [0.1, 2, 3] }, keypoint_score: undefined })]),
    );
    expect(f8.annotations[0].keypoint.keypoint).toEqual(Float32Array.of(0.1, 2, 3));
    expect(f8.annotations[0].keypoint.score).toBeUndefined();
    const empty = readPysklAnnotations(
      dumps([annotation('a', 3, { keypoint: { nd: 'f2', shape: [0, 3, 2, 2], values: [] }, keypoint_score: { nd: 'f2', shape: [0, 3, 2], values: [] } })]),
    );
    const s = empty.annotations[0].keypoint;
    expect([s.persons, s.frames, s.joints, s.dims]).toEqual([1, 3, 2, 2]);
    expect(s.keypoint).toEqual(new Float32Array(12));
    expect(s.score).toEqual(new Float32Array(6));
  });

  it.each([
    ['keypoint', 'annotations[0] ("a"): missing field "keypoint"'],
    ['label', 'annotations[0] ("a"): missing field "label"'],
    ['total_frames', 'annotations[0] ("a"): missing field "total_frames"'],
    ['frame_dir', 'annotations[0].frame_dir: expected a str, got nothing'],
  ])('names a missing field %s', (field, message) => {
    expect(errorOf(file([annotation('a', 2, { [field]: undefined })]))).toBe(message);
  });

  it('rejects bad keypoint shapes, scores and frame counts, naming the annotation', () => {
    const second = (overrides: Record<string, Py | undefined>) => file([annotation('a'), annotation('b', 2, overrides)], { train: ['a', 'b'] });
    expect(errorOf(second({ keypoint: { nd: 'f4', shape: [2, 2, 2], values: new Array(8).fill(0) } }))).toBe(
      'annotations[1] ("b").keypoint: expected a 4-D numpy array [M, T, V, C], got shape [2, 2, 2]',
    );
    expect(errorOf(second({ keypoint: [1, 2] }))).toBe('annotations[1] ("b").keypoint: expected a 4-D numpy array [M, T, V, C], got list of 2');
    expect(errorOf(second({ keypoint_score: { nd: 'f2', shape: [1, 2, 3], values: new Array(6).fill(1) } }))).toBe(
      'annotations[1] ("b").keypoint_score: expected shape [1, 2, 2] ([M, T, V] of keypoint), got shape [1, 2, 3]',
    );
    expect(errorOf(second({ total_frames: 3 }))).toBe('annotations[1] ("b").total_frames: expected 2 (T of keypoint [1, 2, 2, 2]), got 3');
    expect(errorOf(second({ total_frames: 0, keypoint: { nd: 'f4', shape: [1, 0, 2, 2], values: [] }, keypoint_score: undefined }))).toBe(
      'annotations[1] ("b").keypoint: expected at least 1 frame (T >= 1) in [M, T, V, C], got shape [1, 0, 2, 2]',
    );
    expect(errorOf(second({ keypoint: { nd: 'b1', shape: [1, 2, 2, 2], values: new Array(8).fill(1) } }))).toMatch(
      /^annotations\[1\] \("b"\)\.keypoint: expected a float or integer numpy array .*got dtype bool$/,
    );
    expect(errorOf(second({ img_shape: { tuple: [480] } }))).toBe(
      'annotations[1] ("b").img_shape: expected (height, width) of two positive ints, got tuple of 1',
    );
  });

  it('rejects non-finite values in keypoints and scores, naming the position', () => {
    const values = [0, 0.5, 1, 0.5, 10, NaN, 11, 0.5];
    expect(errorOf(file([annotation('a', 2, { keypoint: { nd: 'f4', shape: [1, 2, 2, 2], values } })]))).toBe(
      'annotations[0] ("a").keypoint: value NaN at [person 0, frame 1, joint 0, dim 1]; expected finite numbers',
    );
    expect(errorOf(file([annotation('a', 2, { keypoint_score: { nd: 'f2', shape: [1, 2, 2], values: [1, 1, 1, Infinity] } })]))).toBe(
      'annotations[0] ("a").score: value Infinity at [person 0, frame 1, joint 1, dim 0]; expected finite numbers',
    );
  });

  it('rejects labels that are not integers in range', () => {
    expect(errorOf(file([annotation('a', 2, { label: -1 })]))).toBe('annotations[0] ("a").label: expected an integer >= 0, got int -1');
    expect(errorOf(file([annotation('a', 2, { label: 1.5 })]))).toBe('annotations[0] ("a").label: expected an integer >= 0, got float 1.5');
    expect(errorOf(file([annotation('a', 2, { label: '1' })]))).toBe('annotations[0] ("a").label: expected an integer >= 0, got str "1"');
    expect(errorOf(file([annotation('a', 2, { label: 3 })]), { numClasses: 3 })).toBe('annotations[0] ("a").label: expected an integer in [0, 3), got int 3');
  });

  it('rejects a malformed file layout and bad options', () => {
    expect(errorOf(dict({ split: dict({}) }))).toBe('PYSKL pickle: expected a dict with "split" and "annotations", got keys ["split"]');
    expect(errorOf(dict({ split: [], annotations: [] }))).toBe('PYSKL pickle split: expected a dict of name -> list of frame_dir, got list of 0');
    expect(errorOf(dict({ split: dict({ train: [1] }), annotations: [] }))).toBe('PYSKL pickle split["train"]: expected a list of str, got list of 1');
    expect(errorOf(dict({ annotations: dict({}) }))).toBe('PYSKL pickle annotations: expected a list of dicts, got dict');
    expect(errorOf(['x'])).toBe('annotations[0]: expected a dict, got str "x"');
    expect(errorOf([annotation('a')], { split: 'train' })).toBe('readPysklAnnotations options.split: expected no split (the pickle has none), got "train"');
    expect(errorOf(file([annotation('a')]), { numClasses: 0 })).toBe('readPysklAnnotations options.numClasses: expected an integer >= 1, got 0');
    expect(errorOf(file([annotation('a')]), { unpickle: { maxArrayElements: 5 } })).toMatch(/^pickle: more than maxArrayElements = 5/);
  });

  it('checks only the annotations of the chosen split (others need only a frame_dir)', () => {
    const broken = annotation('b', 2, { keypoint: undefined });
    const { annotations } = readPysklAnnotations(dumps(file([annotation('a'), broken], { train: ['a'], val: ['b'] })), { split: 'train' });
    expect(annotations.map((a) => a.frameDir)).toEqual(['a']);
    expect(() => readPysklAnnotations(dumps(file([annotation('a'), broken], { train: ['a'], val: ['b'] })))).toThrow(
      'annotations[1] ("b"): missing field "keypoint"',
    );
  });
});
