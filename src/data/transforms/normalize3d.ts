import { fail } from '../../errors.js';
import { checkJointIndex, checkSequence, copySequence, type SkeletonSequence } from '../skeletonSequence.js';

/** Options of {@link normalize3D}; the defaults are the reference's NTU RGB+D 25-joint values. */
export interface Normalize3DOptions {
  /**
   * Joint whose position in frame 0 of the main person becomes the origin; default 1 (spine_mid)
   * when V = 25, else the last joint (V - 1), as the reference does. For Kinect-20 (NW-UCLA, UTKinect)
   * pass 1 (spine).
   */
  centerJoint?: number;
  /**
   * `[bottom, top]`: the vector bottom -> top of frame 0 is rotated onto +z; default `[0, 1]`
   * (NTU spine_base -> spine_mid; the same indices are hip_center -> spine on Kinect-20).
   */
  zAxis?: readonly [number, number];
  /**
   * `[a, b]`: after the z alignment the vector b -> a of frame 0 is rotated onto +x; default `[8, 4]`
   * (NTU and Kinect-20 left shoulder -> right shoulder).
   */
  xAxis?: readonly [number, number];
  /** Translate to the centre joint; default true. */
  alignCenter?: boolean;
  /** Apply the two rotations; default true. */
  alignSpine?: boolean;
}

/**
 * PYSKL `PreNormalize3D` for 3D skeletons (dims 3): keeps only the frames in which the main person
 * is present (not all |x| <= 1e-8), where the main person is person 0, or the first person with
 * strictly more such frames (moved to slot 0, others keep their order; the reference swaps persons 0
 * and 1); translates so the centre joint of frame 0 of the main person is the origin (zero joints stay
 * zero); rotates (Euler-Rodrigues, about `v x axis`) so the `zAxis` vector of frame 0 points along +z,
 * then the `xAxis` vector along +x. Like the reference, a vector pointing exactly opposite its target
 * is left as is (their cross product is 0). An all-zero sequence (or one without a present frame) is
 * returned unchanged (a copy).
 * Scores, when present, follow the kept frames and persons. Output `[M][T'][V][3]`, T' <= T.
 *
 * @example
 * ```ts
 * import { normalize3D, type SkeletonSequence } from 'ske2grid';
 * declare const ntu: SkeletonSequence, ucla: SkeletonSequence; // [M][T][25][3] and [1][T][20][3]
 * const a = normalize3D(ntu); // spine_mid at the origin, spine along +z, shoulders along +x
 * const b = normalize3D(ucla, { centerJoint: 1 }); // Kinect-20: centred on the spine joint
 * ```
 */
export function normalize3D(seq: SkeletonSequence, options: Normalize3DOptions = {}): SkeletonSequence {
  checkSequence(seq);
  if (seq.dims !== 3) fail('sequence.dims', '3 (x, y, z) for normalize3D', seq.dims);
  const { persons, frames, joints } = seq;
  const alignCenter = options.alignCenter ?? true;
  const alignSpine = options.alignSpine ?? true;
  // Joints are checked only for the steps that use them.
  const centerJoint = alignCenter ? checkJointIndex('options.centerJoint', options.centerJoint ?? (joints === 25 ? 1 : joints - 1), joints) : 0;
  const zAxis = alignSpine ? jointPair('options.zAxis', options.zAxis ?? [0, 1], joints) : [0, 0];
  const xAxis = alignSpine ? jointPair('options.xAxis', options.xAxis ?? [8, 4], joints) : [0, 0];
  if (seq.keypoint.every((x) => x === 0)) return copySequence(seq);

  // Frames where each person is present; the main person has the most (ties: lowest index).
  const frameSize = joints * 3;
  const present = (m: number, t: number) => {
    const a = (m * frames + t) * frameSize;
    for (let i = 0; i < frameSize; i++) if (Math.abs(seq.keypoint[a + i]) > 1e-8) return true;
    return false;
  };
  let main = 0;
  let keep: number[] = [];
  for (let m = 0; m < persons; m++) {
    const f: number[] = [];
    for (let t = 0; t < frames; t++) if (present(m, t)) f.push(t);
    if (m === 0 || f.length > keep.length) {
      main = m;
      keep = f;
    }
  }
  if (keep.length === 0) return copySequence(seq);
  const order = [main, ...Array.from({ length: persons }, (_, m) => m).filter((m) => m !== main)];
  const outFrames = keep.length;
  const kp = new Float64Array(persons * outFrames * frameSize);
  const score = seq.score ? new Float32Array(persons * outFrames * joints) : undefined;
  order.forEach((src, m) => {
    keep.forEach((t, k) => {
      const a = (src * frames + t) * frameSize;
      const b = (m * outFrames + k) * frameSize;
      for (let i = 0; i < frameSize; i++) kp[b + i] = seq.keypoint[a + i];
      if (score && seq.score) score.set(seq.score.subarray((src * frames + t) * joints, (src * frames + t + 1) * joints), (m * outFrames + k) * joints);
    });
  });

  if (alignCenter) {
    const c = [kp[centerJoint * 3], kp[centerJoint * 3 + 1], kp[centerJoint * 3 + 2]];
    for (let i = 0; i < kp.length; i += 3) {
      if (kp[i] === 0 && kp[i + 1] === 0 && kp[i + 2] === 0) continue;
      for (let d = 0; d < 3; d++) kp[i + d] = Math.fround(kp[i + d] - c[d]);
    }
  }
  if (alignSpine) {
    rotateOnto(kp, zAxis[1], zAxis[0], [0, 0, 1]);
    rotateOnto(kp, xAxis[0], xAxis[1], [1, 0, 0]);
  }
  return { ...seq, keypoint: Float32Array.from(kp), score, frames: outFrames };
}

/** Rotates all points so that `kp[frame 0, person 0, to] - kp[..., from]` points along `target` (in place). */
function rotateOnto(kp: Float64Array, to: number, from: number, target: readonly [number, number, number]): void {
  const v = [kp[to * 3] - kp[from * 3], kp[to * 3 + 1] - kp[from * 3 + 1], kp[to * 3 + 2] - kp[from * 3 + 2]];
  const axis = cross(v, target);
  const theta = angleBetween(v, target);
  const r = rodrigues(axis, theta);
  if (r === null) return;
  for (let i = 0; i < kp.length; i += 3) {
    const x = kp[i],
      y = kp[i + 1],
      z = kp[i + 2];
    // Summing from +0 keeps missing joints at +0 rather than -0.
    kp[i] = 0 + r[0] * x + r[1] * y + r[2] * z;
    kp[i + 1] = 0 + r[3] * x + r[4] * y + r[5] * z;
    kp[i + 2] = 0 + r[6] * x + r[7] * y + r[8] * z;
  }
}

function cross(a: readonly number[], b: readonly number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

const unit = (a: readonly number[]) => {
  const n = Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
  return [a[0] / n, a[1] / n, a[2] / n];
};

const absSum = (a: readonly number[]) => Math.abs(a[0]) + Math.abs(a[1]) + Math.abs(a[2]);

/** Angle between two vectors, 0 when either is (almost) zero (the reference's thresholds). */
function angleBetween(a: readonly number[], b: readonly number[]): number {
  if (absSum(a) < 1e-6 || absSum(b) < 1e-6) return 0;
  const ua = unit(a);
  const ub = unit(b);
  return Math.acos(Math.min(1, Math.max(-1, ua[0] * ub[0] + ua[1] * ub[1] + ua[2] * ub[2])));
}

/** Row-major 3x3 rotation by `theta` about `axis` (Euler-Rodrigues); null for the identity. */
function rodrigues(axis: readonly number[], theta: number): number[] | null {
  if (absSum(axis) < 1e-6 || Math.abs(theta) < 1e-6) return null;
  const u = unit(axis);
  const s = Math.sin(theta / 2);
  const a = Math.cos(theta / 2);
  const b = -u[0] * s,
    c = -u[1] * s,
    d = -u[2] * s;
  const aa = a * a,
    bb = b * b,
    cc = c * c,
    dd = d * d;
  const bc = b * c,
    ad = a * d,
    ac = a * c,
    ab = a * b,
    bd = b * d,
    cd = c * d;
  return [aa + bb - cc - dd, 2 * (bc + ad), 2 * (bd - ac), 2 * (bc - ad), aa + cc - bb - dd, 2 * (cd + ab), 2 * (bd + ac), 2 * (cd - ab), aa + dd - bb - cc];
}

function jointPair(arg: string, value: unknown, joints: number): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) fail(arg, `a pair of joint indices in [0, ${joints - 1}]`, value);
  const [a, b] = value.map((x, i) => checkJointIndex(`${arg}[${i}]`, x, joints));
  if (a === b) fail(arg, 'two different joints', [a, b]);
  return [a, b];
}
