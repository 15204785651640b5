import { Ske2GridError, fail, requireInt } from '../errors.js';

/**
 * One recorded skeleton clip in the data pipeline's common form (PYSKL's `keypoint` layout):
 * coordinates `[persons][frames][joints][dims]` row-major, optional confidences
 * `[persons][frames][joints]`. Every reader produces it and every transform takes and returns it.
 */
export interface SkeletonSequence {
  /** Coordinates, length `persons * frames * joints * dims`, layout `[M][T][V][C]`. */
  keypoint: Float32Array;
  /** Per-joint confidences, length `persons * frames * joints`, layout `[M][T][V]`; absent for 3D data. */
  score?: Float32Array;
  /** Person slots M (an absent person is all zeros). */
  persons: number;
  /** Frames T (>= 1). */
  frames: number;
  /** Joints per person V. */
  joints: number;
  /** Coordinate dimensions C (2 or 3 for raw data; more after feature transforms). */
  dims: number;
  /** Class index, when known. */
  label?: number;
  /** Identifier of the clip (file name, `frame_dir`), when known. */
  id?: string;
  /** Size of the source image `[height, width]` in pixels, for 2D data in pixel units. */
  imageShape?: readonly [number, number];
}

/**
 * Index of element `(m, t, v, c)` in a `[M][T][V][C]` array.
 *
 * @example
 * ```ts
 * import { keypointIndex } from 'ske2grid';
 * const seq = { frames: 10, joints: 17, dims: 3 };
 * keypointIndex(seq, 1, 2, 5, 0); // 627 = ((1 * 10 + 2) * 17 + 5) * 3 + 0: person 1, frame 2, joint 5, x
 * ```
 */
export function keypointIndex(s: Pick<SkeletonSequence, 'frames' | 'joints' | 'dims'>, m: number, t: number, v: number, c: number): number {
  return ((m * s.frames + t) * s.joints + v) * s.dims + c;
}

/**
 * Checks a sequence's sizes and values, naming `what` in the error: integer sizes, array lengths
 * matching `[M][T][V][C]` (and `[M][T][V]` for scores), finite values, and a label that is a
 * non-negative integer below `numClasses` when that is given (default: no upper bound). Returns the sequence.
 *
 * @example
 * ```ts
 * import { checkSequence } from 'ske2grid';
 * const seq = { keypoint: new Float32Array(1 * 4 * 17 * 2), persons: 1, frames: 4, joints: 17, dims: 2, label: 3 };
 * checkSequence(seq, 'clip 0', 10); // returns seq
 * checkSequence({ ...seq, frames: 5 }, 'clip 0'); // throws: clip 0.keypoint: expected 170 values ([M=1, T=5, V=17, C=2]), got 136
 * ```
 */
export function checkSequence(s: SkeletonSequence, what = 'sequence', numClasses?: number): SkeletonSequence {
  if (s == null || typeof s !== 'object') fail(what, 'a SkeletonSequence object', s);
  requireInt(`${what}.persons`, s.persons, 1);
  requireInt(`${what}.frames`, s.frames, 1);
  requireInt(`${what}.joints`, s.joints, 1);
  requireInt(`${what}.dims`, s.dims, 1);
  if (!(s.keypoint instanceof Float32Array)) fail(`${what}.keypoint`, 'a Float32Array', s.keypoint);
  const n = s.persons * s.frames * s.joints * s.dims;
  if (s.keypoint.length !== n) {
    fail(`${what}.keypoint`, `${n} values ([M=${s.persons}, T=${s.frames}, V=${s.joints}, C=${s.dims}])`, s.keypoint.length);
  }
  checkFinite(`${what}.keypoint`, s.keypoint, s);
  if (s.score !== undefined) {
    if (!(s.score instanceof Float32Array)) fail(`${what}.score`, 'a Float32Array or undefined', s.score);
    const ns = s.persons * s.frames * s.joints;
    if (s.score.length !== ns) {
      fail(`${what}.score`, `${ns} values ([M=${s.persons}, T=${s.frames}, V=${s.joints}])`, s.score.length);
    }
    checkFinite(`${what}.score`, s.score, { ...s, dims: 1 });
  }
  if (s.label !== undefined) {
    const bound = numClasses === undefined ? '' : ` < ${numClasses}`;
    if (!Number.isInteger(s.label) || s.label < 0 || (numClasses !== undefined && s.label >= numClasses)) {
      fail(`${what}.label`, `an integer >= 0${bound}`, s.label);
    }
  }
  return s;
}

/** Checks that `value` is a joint index in `[0, joints)`, naming `arg` in the error; returns it. */
export function checkJointIndex(arg: string, value: unknown, joints: number): number {
  requireInt(arg, value, 0);
  if ((value as number) >= joints) fail(arg, `a joint index in [0, ${joints - 1}]`, value);
  return value as number;
}

/** A copy of a sequence with fresh `keypoint` and `score` arrays. */
export function copySequence(seq: SkeletonSequence): SkeletonSequence {
  return { ...seq, keypoint: Float32Array.from(seq.keypoint), score: seq.score ? Float32Array.from(seq.score) : undefined };
}

function checkFinite(what: string, a: Float32Array, s: Pick<SkeletonSequence, 'frames' | 'joints' | 'dims'>): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      const c = i % s.dims;
      const v = Math.floor(i / s.dims) % s.joints;
      const t = Math.floor(i / (s.dims * s.joints)) % s.frames;
      const m = Math.floor(i / (s.dims * s.joints * s.frames));
      throw new Ske2GridError(`${what}: value ${a[i]} at [person ${m}, frame ${t}, joint ${v}, dim ${c}]; expected finite numbers`);
    }
  }
}
