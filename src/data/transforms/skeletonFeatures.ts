import { fail } from '../../errors.js';
import { checkSequence, type SkeletonSequence } from '../skeletonSequence.js';

/** A skeleton modality: joints, bones, joint motion, bone motion (PYSKL `GenSkeFeat` names). */
export type SkeletonFeature = 'j' | 'b' | 'jm' | 'bm';

const FEATURES: readonly SkeletonFeature[] = ['j', 'b', 'jm', 'bm'];

/**
 * Bones (PYSKL `JointToBone`): `bone[v] = joint[v] - joint[parents[v]]` on every coordinate, so a root
 * (its own parent) gets 0. A `score` `[M][T][V]` becomes the bone score `(s[v] + s[parents[v]]) / 2`.
 * `parents` has length V with entries in [0, V) (see `boneParents`). Shapes are unchanged.
 *
 * @example
 * ```ts
 * import { boneParents, jointToBone, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // NTU-25 3D joints [M][T][25][3]
 * const bones = jointToBone(seq, boneParents('nturgb+d')); // [M][T][25][3]; the root spine_shoulder gets 0
 * ```
 */
export function jointToBone(seq: SkeletonSequence, parents: readonly number[]): SkeletonSequence {
  checkSequence(seq);
  checkParents(parents, seq.joints);
  const { joints, dims } = seq;
  const rows = seq.persons * seq.frames;
  const keypoint = new Float32Array(seq.keypoint.length);
  const score = seq.score ? new Float32Array(seq.score.length) : undefined;
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < joints; v++) {
      const a = (r * joints + v) * dims;
      const b = (r * joints + parents[v]) * dims;
      for (let c = 0; c < dims; c++) keypoint[a + c] = seq.keypoint[a + c] - seq.keypoint[b + c];
      if (score && seq.score) score[r * joints + v] = (seq.score[r * joints + v] + seq.score[r * joints + parents[v]]) / 2;
    }
  }
  return { ...seq, keypoint, score };
}

/**
 * Motion (PYSKL `ToMotion`): frame t holds `x[t + 1] - x[t]` for t < T - 1 and the last frame is 0
 * (a 1-frame sequence is all 0). A `score` becomes `(s[t] + s[t + 1]) / 2`, last frame 0. Shapes unchanged.
 *
 * @example
 * ```ts
 * import { jointMotion, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // [M][T][V][C]
 * const motion = jointMotion(seq); // [M][T][V][C]: frame t holds x[t + 1] - x[t], the last frame 0
 * ```
 */
export function jointMotion(seq: SkeletonSequence): SkeletonSequence {
  checkSequence(seq);
  const { persons, frames } = seq;
  const frameSize = seq.joints * seq.dims;
  const keypoint = new Float32Array(seq.keypoint.length);
  const score = seq.score ? new Float32Array(seq.score.length) : undefined;
  for (let m = 0; m < persons; m++) {
    for (let t = 0; t + 1 < frames; t++) {
      const a = (m * frames + t) * frameSize;
      for (let i = 0; i < frameSize; i++) keypoint[a + i] = seq.keypoint[a + frameSize + i] - seq.keypoint[a + i];
      if (score && seq.score) {
        const s = (m * frames + t) * seq.joints;
        for (let v = 0; v < seq.joints; v++) score[s + v] = (seq.score[s + v] + seq.score[s + seq.joints + v]) / 2;
      }
    }
  }
  return { ...seq, keypoint, score };
}

/**
 * The requested modalities concatenated on the channel axis in the given order (PYSKL `GenSkeFeat`
 * + `MergeSkeFeat`): `[M][T][V][F * C']` with `C' = dims + 1` when the sequence has a `score` (each
 * feature carries its own score channel last: x, y, score for 2D; the output has no `score`, it is
 * consumed as in the reference) and `C' = dims` otherwise. `'b'`/`'bm'` need `parents` (length V).
 * Motion is taken between consecutive frames of the sequence as given (the reference runs this before
 * temporal sampling). `feats` is non-empty without repeats; `['j']` default.
 *
 * @example
 * ```ts
 * import { boneParents, skeletonFeatures, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // COCO-17 2D: [M][T][17][2] + score [M][T][17]
 * const jb = skeletonFeatures(seq, ['j', 'b'], boneParents('coco')); // [M][T][17][6]: joint x, y, score, bone x, y, score
 * ```
 */
export function skeletonFeatures(seq: SkeletonSequence, feats: readonly SkeletonFeature[] = ['j'], parents?: readonly number[]): SkeletonSequence {
  checkSequence(seq);
  if (!Array.isArray(feats) || feats.length === 0) fail('feats', `a non-empty array of ${FEATURES.map((f) => `'${f}'`).join(', ')}`, feats);
  feats.forEach((f, i) => {
    if (!FEATURES.includes(f)) fail(`feats[${i}]`, `one of ${FEATURES.map((x) => `'${x}'`).join(', ')}`, f);
    if (feats.indexOf(f) !== i) fail('feats', 'each feature once', feats);
  });
  const needsBones = feats.includes('b') || feats.includes('bm');
  if (needsBones && parents === undefined) fail('parents', "joint parents (boneParents(layout)) for 'b' / 'bm'", parents);
  const bones = needsBones && parents ? jointToBone(seq, parents) : undefined;
  const parts: Record<SkeletonFeature, () => SkeletonSequence> = {
    j: () => seq,
    b: () => bones as SkeletonSequence,
    jm: () => jointMotion(seq),
    bm: () => jointMotion(bones as SkeletonSequence),
  };
  const withScore = seq.score !== undefined;
  const width = seq.dims + (withScore ? 1 : 0);
  const outDims = width * feats.length;
  const points = seq.persons * seq.frames * seq.joints;
  const keypoint = new Float32Array(points * outDims);
  feats.forEach((f: SkeletonFeature, k: number) => {
    const part = parts[f]();
    for (let p = 0; p < points; p++) {
      const dst = p * outDims + k * width;
      for (let c = 0; c < seq.dims; c++) keypoint[dst + c] = part.keypoint[p * seq.dims + c];
      if (withScore && part.score) keypoint[dst + seq.dims] = part.score[p];
    }
  });
  return { ...seq, keypoint, score: undefined, dims: outDims };
}

function checkParents(parents: readonly number[], joints: number): void {
  if (!Array.isArray(parents)) fail('parents', `an array of ${joints} joint indices (one per joint)`, parents);
  if (parents.length !== joints) {
    fail('parents.length', `${joints} (one joint index per joint)`, parents.length);
  }
  parents.forEach((p, v) => {
    if (!Number.isInteger(p) || p < 0 || p >= joints) fail(`parents[${v}]`, `a joint index in [0, ${joints - 1}]`, p);
  });
}
