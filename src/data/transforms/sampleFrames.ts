import { fail } from '../../errors.js';
import { checkSequence, type SkeletonSequence } from '../skeletonSequence.js';

/**
 * Gathers frames: a sequence with `indices.length` frames, frame k = input frame `indices[k]`
 * (keypoints and scores; PYSKL's `PoseDecode`). Indices are integers in `[0, seq.frames)`.
 *
 * @example
 * ```ts
 * import { sampleFrames, uniformSampleIndices, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // [M][T][V][C]
 * const clip = sampleFrames(seq, uniformSampleIndices(seq.frames, 32, { mode: 'test' })); // [M][32][V][C]
 * ```
 */
export function sampleFrames(seq: SkeletonSequence, indices: ArrayLike<number>): SkeletonSequence {
  checkSequence(seq);
  const { persons, frames, joints, dims } = seq;
  if (indices == null || typeof indices.length !== 'number' || indices.length < 1) fail('indices', 'a non-empty array of frame indices', indices);
  const count = indices.length;
  for (let k = 0; k < count; k++) {
    const t = indices[k];
    if (!Number.isInteger(t) || t < 0 || t >= frames) {
      fail(`indices[${k}]`, `a frame index in [0, ${frames - 1}]`, t);
    }
  }
  const frameSize = joints * dims;
  const keypoint = new Float32Array(persons * count * frameSize);
  const score = seq.score ? new Float32Array(persons * count * joints) : undefined;
  for (let m = 0; m < persons; m++) {
    for (let k = 0; k < count; k++) {
      const t = indices[k];
      const src = (m * frames + t) * frameSize;
      keypoint.set(seq.keypoint.subarray(src, src + frameSize), (m * count + k) * frameSize);
      if (score && seq.score) {
        const s = (m * frames + t) * joints;
        score.set(seq.score.subarray(s, s + joints), (m * count + k) * joints);
      }
    }
  }
  return { ...seq, keypoint, score, frames: count };
}
