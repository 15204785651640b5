import { fail, requireInt } from '../../errors.js';
import { checkSequence, type SkeletonSequence } from '../skeletonSequence.js';

/** Options of {@link selectPersons}. */
export interface SelectPersonsOptions {
  /** How missing slots are filled: `'zero'` (default, all-zero persons, the reference) or `'loop'` (copies of the first kept person). */
  mode?: 'zero' | 'loop';
  /**
   * Which persons are kept, in which order: `'stored'` (default, the first M as stored, the
   * reference `FormatGCNInput`), `'score'` (highest mean score over frames and joints first; needs
   * `score`) or `'motion'` (largest total motion first: the sum over frames and joints of the distance
   * a joint moves between consecutive frames, skipping steps from or to a missing (all-zero) joint).
   * Ties keep the stored order.
   */
  order?: 'stored' | 'score' | 'motion';
}

/**
 * Returns a sequence with exactly `numPersons` person slots (`[numPersons][T][V][C]`, scores likewise):
 * persons chosen and ordered by `order` (default `'stored'`), extra ones dropped, missing ones filled by
 * `mode` (default `'zero'`).
 *
 * @example
 * ```ts
 * import { selectPersons, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // 4 detected persons: [4][T][17][2] + score
 * const two = selectPersons(seq, 2, { order: 'score' }); // [2][T][17][2]: the 2 best-scoring persons
 * ```
 */
export function selectPersons(seq: SkeletonSequence, numPersons: number, options: SelectPersonsOptions = {}): SkeletonSequence {
  checkSequence(seq);
  requireInt('numPersons', numPersons, 1);
  const mode = options.mode ?? 'zero';
  if (mode !== 'zero' && mode !== 'loop') fail('options.mode', "'zero' or 'loop'", mode);
  const order = options.order ?? 'stored';
  if (order !== 'stored' && order !== 'score' && order !== 'motion') fail('options.order', "'stored', 'score' or 'motion'", order);
  if (order === 'score' && !seq.score) fail('sequence.score', "per-joint scores for order 'score'", seq.score);

  const ranking = Array.from({ length: seq.persons }, (_, m) => m);
  if (order !== 'stored') {
    const key = ranking.map((m) => (order === 'score' ? meanScore(seq, m) : totalMotion(seq, m)));
    ranking.sort((a, b) => key[b] - key[a] || a - b);
  }
  const chosen = ranking.slice(0, numPersons);
  while (chosen.length < numPersons) chosen.push(mode === 'loop' ? chosen[0] : -1);

  const personSize = seq.frames * seq.joints * seq.dims;
  const personScores = seq.frames * seq.joints;
  const keypoint = new Float32Array(numPersons * personSize);
  const score = seq.score ? new Float32Array(numPersons * personScores) : undefined;
  chosen.forEach((src, m) => {
    if (src < 0) return;
    keypoint.set(seq.keypoint.subarray(src * personSize, (src + 1) * personSize), m * personSize);
    if (score && seq.score) score.set(seq.score.subarray(src * personScores, (src + 1) * personScores), m * personScores);
  });
  return { ...seq, keypoint, score, persons: numPersons };
}

function meanScore(seq: SkeletonSequence, m: number): number {
  const n = seq.frames * seq.joints;
  let sum = 0;
  for (let i = m * n; i < (m + 1) * n; i++) sum += (seq.score as Float32Array)[i];
  return sum / n;
}

function totalMotion(seq: SkeletonSequence, m: number): number {
  const { frames, joints, dims } = seq;
  const frameSize = joints * dims;
  const missing = (i: number) => {
    for (let c = 0; c < dims; c++) if (seq.keypoint[i + c] !== 0) return false;
    return true;
  };
  let total = 0;
  for (let t = 0; t + 1 < frames; t++) {
    for (let v = 0; v < joints; v++) {
      const a = (m * frames + t) * frameSize + v * dims;
      const b = a + frameSize;
      if (missing(a) || missing(b)) continue;
      let sq = 0;
      for (let c = 0; c < dims; c++) sq += (seq.keypoint[b + c] - seq.keypoint[a + c]) ** 2;
      total += Math.sqrt(sq);
    }
  }
  return total;
}
