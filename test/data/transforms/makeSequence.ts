import type { SkeletonSequence } from '../../../src/data/skeletonSequence.js';

/** Builds a sequence from nested arrays `[M][T][V][C]` (and scores `[M][T][V]`), for tests. */
export function makeSequence(keypoint: number[][][][], score?: number[][][], extra: Partial<SkeletonSequence> = {}): SkeletonSequence {
  const persons = keypoint.length;
  const frames = keypoint[0].length;
  const joints = keypoint[0][0].length;
  const dims = keypoint[0][0][0].length;
  return {
    keypoint: Float32Array.from(keypoint.flat(3)),
    score: score ? Float32Array.from(score.flat(2)) : undefined,
    persons,
    frames,
    joints,
    dims,
    ...extra,
  };
}

/** The keypoints of a sequence as nested arrays `[M][T][V][C]` of plain numbers. */
export function nested(seq: Pick<SkeletonSequence, 'keypoint' | 'persons' | 'frames' | 'joints' | 'dims'>): number[][][][] {
  const out: number[][][][] = [];
  let i = 0;
  for (let m = 0; m < seq.persons; m++) {
    const person: number[][][] = [];
    for (let t = 0; t < seq.frames; t++) {
      const frame: number[][] = [];
      for (let v = 0; v < seq.joints; v++) {
        frame.push(Array.from(seq.keypoint.subarray(i, i + seq.dims)));
        i += seq.dims;
      }
      person.push(frame);
    }
    out.push(person);
  }
  return out;
}

/** The scores of a sequence as nested arrays `[M][T][V]`. */
export function nestedScore(seq: SkeletonSequence): number[][][] {
  if (!seq.score) throw new Error('sequence has no score');
  return nested({ keypoint: seq.score, persons: seq.persons, frames: seq.frames, joints: seq.joints, dims: 1 }).map((p) => p.map((f) => f.map((j) => j[0])));
}

/** A random-looking but deterministic sequence of the given sizes (values in [-1, 1]), scores in (0, 1]. */
export function patternSequence(persons: number, frames: number, joints: number, dims: number, withScore = false): SkeletonSequence {
  const n = persons * frames * joints * dims;
  const keypoint = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + 0.3));
  const score = withScore ? Float32Array.from({ length: persons * frames * joints }, (_, i) => 0.05 + 0.9 * Math.abs(Math.cos(i * 0.9))) : undefined;
  return { keypoint, score, persons, frames, joints, dims };
}
