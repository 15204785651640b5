import { fail } from '../../errors.js';
import type { Random } from '../../random/random.js';
import { checkSequence, type SkeletonSequence } from '../skeletonSequence.js';

/** Options of {@link randomRotation}. */
export interface RandomRotationOptions {
  /** Largest angle in degrees (>= 0); each angle is uniform in [-max, max]; default 0.3 rad = 17.19 degrees (PYSKL `RandomRot`). */
  maxDegrees?: number;
}

/** Options of {@link randomScale}. */
export interface RandomScaleOptions {
  /** `[low, high]` with 0 < low <= high: each coordinate axis is multiplied by its own factor uniform in it; default `[0.9, 1.1]`. */
  range?: readonly [number, number];
}

/** Options of {@link gaussianNoise}. */
export interface GaussianNoiseOptions {
  /** Standard deviation of the noise added to every coordinate of a present joint (>= 0); default 0.01. */
  std?: number;
}

const DEFAULT_MAX_DEGREES = (0.3 * 180) / Math.PI;

/**
 * Rotates the whole sequence by one random rotation: dims 3, angles about x, y, z (drawn in that
 * order, each uniform in [-maxDegrees, maxDegrees]) composed as `Rz * Ry * Rx`; dims 2, one in-plane
 * angle. Lengths are preserved and missing (all-zero) joints stay zero. Scores are kept.
 *
 * @example
 * ```ts
 * import { createRandom, randomRotation, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // 3D: [M][T][V][3]
 * const rotated = randomRotation(seq, createRandom(1), { maxDegrees: 10 }); // default 0.3 rad = 17.19 degrees
 * ```
 */
export function randomRotation(seq: SkeletonSequence, random: Random, options: RandomRotationOptions = {}): SkeletonSequence {
  checkSequence(seq);
  checkRandom(random);
  if (seq.dims !== 2 && seq.dims !== 3) fail('sequence.dims', '2 or 3 coordinates for a rotation', seq.dims);
  const maxDegrees = options.maxDegrees ?? DEFAULT_MAX_DEGREES;
  if (typeof maxDegrees !== 'number' || !Number.isFinite(maxDegrees) || maxDegrees < 0) fail('options.maxDegrees', 'a finite number >= 0', maxDegrees);
  const draw = () => ((random.uniform() * 2 - 1) * maxDegrees * Math.PI) / 180;
  let r: number[];
  if (seq.dims === 2) {
    const a = draw();
    r = [Math.cos(a), -Math.sin(a), Math.sin(a), Math.cos(a)];
  } else {
    const [ax, ay, az] = [draw(), draw(), draw()];
    r = matMul3(rotationZ(az), matMul3(rotationY(ay), rotationX(ax)));
  }
  return applyLinear(seq, r);
}

/**
 * Multiplies each coordinate axis by its own random factor uniform in `range` (drawn in axis order); zero joints stay zero.
 *
 * @example
 * ```ts
 * import { createRandom, randomScale, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence;
 * const scaled = randomScale(seq, createRandom(1), { range: [0.8, 1.2] }); // default [0.9, 1.1]
 * ```
 */
export function randomScale(seq: SkeletonSequence, random: Random, options: RandomScaleOptions = {}): SkeletonSequence {
  checkSequence(seq);
  checkRandom(random);
  const range = options.range ?? [0.9, 1.1];
  if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0) || range[0] > range[1]) {
    fail('options.range', '[low, high] with 0 < low <= high', range);
  }
  const d = seq.dims;
  const r = new Array<number>(d * d).fill(0);
  for (let c = 0; c < d; c++) r[c * d + c] = range[0] + random.uniform() * (range[1] - range[0]);
  return applyLinear(seq, r);
}

/**
 * Adds independent N(0, std^2) noise to every coordinate of every present (not all-zero) joint; missing joints stay zero.
 *
 * @example
 * ```ts
 * import { createRandom, gaussianNoise, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence;
 * const noisy = gaussianNoise(seq, createRandom(1), { std: 0.005 }); // default std 0.01
 * ```
 */
export function gaussianNoise(seq: SkeletonSequence, random: Random, options: GaussianNoiseOptions = {}): SkeletonSequence {
  checkSequence(seq);
  checkRandom(random);
  const std = options.std ?? 0.01;
  if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) fail('options.std', 'a finite number >= 0', std);
  const d = seq.dims;
  const keypoint = Float32Array.from(seq.keypoint);
  for (let i = 0; i < keypoint.length; i += d) {
    if (isZero(seq.keypoint, i, d)) continue;
    for (let c = 0; c < d; c++) keypoint[i + c] = seq.keypoint[i + c] + std * random.normal();
  }
  return { ...seq, keypoint, score: seq.score ? Float32Array.from(seq.score) : undefined };
}

/** `x <- R x` for every joint, R row-major `dims x dims`. */
function applyLinear(seq: SkeletonSequence, r: readonly number[]): SkeletonSequence {
  const d = seq.dims;
  const keypoint = new Float32Array(seq.keypoint.length);
  for (let i = 0; i < keypoint.length; i += d) {
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += r[k * d + c] * seq.keypoint[i + c];
      keypoint[i + k] = s;
    }
  }
  return { ...seq, keypoint, score: seq.score ? Float32Array.from(seq.score) : undefined };
}

function rotationX(a: number): number[] {
  const c = Math.cos(a),
    s = Math.sin(a);
  return [1, 0, 0, 0, c, -s, 0, s, c];
}

function rotationY(a: number): number[] {
  const c = Math.cos(a),
    s = Math.sin(a);
  return [c, 0, s, 0, 1, 0, -s, 0, c];
}

function rotationZ(a: number): number[] {
  const c = Math.cos(a),
    s = Math.sin(a);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
}

function matMul3(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return out;
}

function isZero(a: Float32Array, i: number, d: number): boolean {
  for (let c = 0; c < d; c++) if (a[i + c] !== 0) return false;
  return true;
}

function checkRandom(random: Random): void {
  const r = random as Partial<Random> | null | undefined;
  if (r == null || typeof r.uniform !== 'function' || typeof r.normal !== 'function' || typeof r.int !== 'function') {
    fail('random', 'a Random source (uniform, normal, int), e.g. createRandom(seed)', random);
  }
}
