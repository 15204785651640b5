import { fail } from '../../errors.js';
import { checkJointIndex, checkSequence, copySequence, type SkeletonSequence } from '../skeletonSequence.js';

/** Options of {@link centerSequence}. */
export interface CenterSequenceOptions {
  /**
   * `'first'` (default): subtract the joint's position in the first frame where person 0 has it.
   * `'each'`: subtract, in every frame, person 0's joint of that frame (frames where it is missing
   * use the nearest earlier frame that has it, or the first one that has it).
   */
  frame?: 'first' | 'each';
}

/**
 * Translates every present joint (not all coordinates 0) by minus person 0's `joint` position
 * (`'first'` frame or `'each'` frame, see {@link CenterSequenceOptions}); missing joints stay 0. If
 * person 0 never has the joint, the sequence is returned unchanged (a copy). Any dims; `options.frame` default `'first'`.
 *
 * @example
 * ```ts
 * import { centerSequence, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // any dims, e.g. [2][T][17][3]
 * const centred = centerSequence(seq, 0, { frame: 'each' }); // relative to person 0's joint 0 in every frame
 * ```
 */
export function centerSequence(seq: SkeletonSequence, joint: number, options: CenterSequenceOptions = {}): SkeletonSequence {
  checkSequence(seq);
  const { persons, frames, joints, dims } = seq;
  checkJointIndex('joint', joint, joints);
  const mode = options.frame ?? 'first';
  if (mode !== 'first' && mode !== 'each') fail('options.frame', "'first' or 'each'", mode);
  const at = (t: number) => t * joints * dims + joint * dims;
  const has = (t: number) => {
    for (let c = 0; c < dims; c++) if (seq.keypoint[at(t) + c] !== 0) return true;
    return false;
  };
  const firstValid = Array.from({ length: frames }, (_, t) => t).find(has);
  if (firstValid === undefined) return copySequence(seq);
  // centreFrame[t]: the frame of person 0 whose joint is the origin of frame t.
  const centreFrame = new Int32Array(frames).fill(firstValid);
  if (mode === 'each') {
    let last = firstValid;
    for (let t = 0; t < frames; t++) {
      if (has(t)) last = t;
      centreFrame[t] = last;
    }
  }
  const keypoint = Float32Array.from(seq.keypoint);
  for (let m = 0; m < persons; m++) {
    for (let t = 0; t < frames; t++) {
      const origin = at(centreFrame[t]);
      for (let v = 0; v < joints; v++) {
        const i = ((m * frames + t) * joints + v) * dims;
        let zero = true;
        for (let c = 0; c < dims; c++) if (seq.keypoint[i + c] !== 0) zero = false;
        if (zero) continue;
        for (let c = 0; c < dims; c++) keypoint[i + c] = seq.keypoint[i + c] - seq.keypoint[origin + c];
      }
    }
  }
  return { ...seq, keypoint, score: seq.score ? Float32Array.from(seq.score) : undefined };
}
