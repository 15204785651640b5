import { fail } from '../errors.js';
import { createRandom, type Random } from '../random/random.js';

/**
 * The classes of {@link generateSyntheticActions}, in label order (label = index). `wave_*` and
 * `kick_right` name the performer's own side (COCO `left_*` joints), not the image side.
 *
 * @example
 * ```ts
 * import { SYNTHETIC_ACTION_CLASSES } from 'ske2grid';
 * SYNTHETIC_ACTION_CLASSES[2]; // 'squat' (label 2); 8 classes
 * ```
 */
export const SYNTHETIC_ACTION_CLASSES: readonly string[] = Object.freeze([
  'wave_left',
  'wave_right',
  'squat',
  'jumping_jack',
  'arm_circles',
  'kick_right',
  'bow',
  'walk_in_place',
]);

/** Options of {@link generateSyntheticActions}; every field optional. */
export interface SyntheticActionOptions {
  /** Samples generated per class; default 40. */
  samplesPerClass?: number;
  /** Shortest clip in frames (inclusive); default 24. */
  minFrames?: number;
  /** Longest clip in frames (inclusive, >= minFrames); default 64. */
  maxFrames?: number;
  /**
   * Persons per sample, 1 or 2; default 1. With 2, the second person is absent (all zeros) with
   * probability 0.5; otherwise both persons are drawn at 0.7x size side by side and the second does the
   * mirror image of the same action (left/right swapped: the partner of a `wave_left` sample waves its
   * right hand) with its own phase, build, view angle and noise. A sample whose partner is absent draws
   * its one person as in the one-person case.
   */
  persons?: number;
  /** Standard deviation of the Gaussian per-frame jitter of x and y, in normalised units; default 0.01. */
  noise?: number;
  /** Probability that a joint is dropped in a frame (x = y = 0, score in [0.1, 0.3]); default 0.02. */
  dropRate?: number;
  /** Seed of the generator (a safe integer); the same options give the same dataset; default 0. */
  seed?: number;
}

/**
 * One skeleton clip. `keypoints` is `[frames][persons][17][3]` row-major (frame-major, unlike the model
 * input) with channels (x, y, score): x, y roughly in [-1, 1] (image-like, y points down), score in (0, 1].
 */
export interface SkeletonSample {
  /** Joint coordinates and scores, length `frames * persons * 17 * 3`. */
  keypoints: Float32Array;
  /** Number of frames T. */
  frames: number;
  /** Number of person slots M (an absent person is all zeros). */
  persons: number;
  /** Joints per person (COCO-17 order). */
  joints: 17;
  /** Channels per joint: x, y, score. */
  channels: 3;
  /** Class index into the dataset's `classes`. */
  label: number;
}

/** A batch in the model's input layout: `x` is `[batch, persons, frames, 17, 3]` row-major, `labels` `[batch]`. */
export interface SkeletonBatch {
  /** Keypoints, `[batch, persons, frames, 17, 3]` row-major. */
  x: Float32Array;
  /** `[batch, persons, frames, 17, 3]`. */
  shape: [number, number, number, number, number];
  /** Class index of each sample, `[batch]`. */
  labels: Int32Array;
}

const JOINTS = 17;
const CHANNELS = 3;
const DEG = Math.PI / 180;

/** Body proportions in normalised units (a standing person is about 1.5 units tall before scaling). */
const BODY = {
  hipHalf: 0.09,
  torso: 0.5,
  shoulderHalf: 0.17,
  neckToNose: 0.16,
  upperArm: 0.27,
  forearm: 0.25,
  thigh: 0.38,
  shin: 0.37,
  ground: 0.8,
} as const;

type Vec3 = [number, number, number];
/** A limb segment direction: `theta` rotates away from straight down within the frontal plane (positive = outwards), then `psi` tilts it forwards (degrees). */
type Angles = [theta: number, psi: number];
interface Limb {
  upper: Angles;
  lower: Angles;
}
/** A body pose; index 0 of `arms`/`legs` is the performer's left. Angles in degrees, `lift` in units (upwards). */
interface Pose {
  bend: number;
  lean: number;
  headPitch: number;
  arms: [Limb, Limb];
  legs: [Limb, Limb];
  lift: number;
}
/** Per-sample build of one performer. */
interface Build {
  armHang: number;
  elbow: number;
  stance: number;
  armScale: number;
  legScale: number;
}
/** Fills the class-specific part of a pose at phase `phase` (radians) with motion amplitude `amp` (about 1). */
type Motion = (pose: Pose, phase: number, amp: number, build: Build) => void;

const rise = (phase: number) => (1 - Math.cos(phase)) / 2; // 0 -> 1 -> 0 over a period

function wave(side: 0 | 1): Motion {
  return (p, phase, amp) => {
    p.arms[side] = { upper: [125 + 5 * Math.sin(phase), 10], lower: [172 + 38 * amp * Math.sin(phase), 12] };
    p.headPitch = 5;
  };
}

/** Motion model of each class, with its base period in frames. */
const MOTIONS: Record<string, { period: number; motion: Motion }> = {
  wave_left: { period: 14, motion: wave(0) },
  wave_right: { period: 14, motion: wave(1) },
  squat: {
    period: 40,
    motion: (p, phase, amp, b) => {
      const d = rise(phase) * amp;
      p.legs = [0, 1].map(() => ({ upper: [b.stance + 12 * d, 95 * d], lower: [b.stance, -28 * d] })) as [Limb, Limb];
      p.bend = 35 * d;
      p.arms = [0, 1].map(() => ({ upper: [b.armHang * (1 - d), 5 + 80 * d], lower: [b.armHang * (1 - d), 5 + b.elbow + 78 * d] })) as [Limb, Limb];
    },
  },
  jumping_jack: {
    period: 26,
    motion: (p, phase, amp) => {
      const o = rise(phase);
      const arm = 15 + 150 * o * Math.min(amp, 1.05);
      p.arms = [
        { upper: [arm, 5], lower: [arm + 12 * o, 8] },
        { upper: [arm, 5], lower: [arm + 12 * o, 8] },
      ];
      const leg = 3 + 17 * o * amp;
      p.legs = [
        { upper: [leg, 0], lower: [leg, 0] },
        { upper: [leg, 0], lower: [leg, 0] },
      ];
      p.lift = 0.07 * Math.abs(Math.sin(phase));
    },
  },
  arm_circles: {
    period: 20,
    motion: (p, phase, amp) => {
      const theta = 95 + 32 * amp * Math.cos(phase);
      const psi = 32 * amp * Math.sin(phase);
      p.arms = [
        { upper: [theta, psi], lower: [theta, psi] },
        { upper: [theta, psi], lower: [theta, psi] },
      ];
    },
  },
  kick_right: {
    period: 36,
    motion: (p, phase, amp, b) => {
      const k = Math.max(0, Math.sin(phase)) ** 1.5 * amp;
      const thigh = 90 * k;
      p.legs[1] = { upper: [b.stance, thigh], lower: [b.stance, thigh - 45 * Math.sin(Math.PI * Math.min(k, 1))] };
      p.bend = -10 * k;
      p.arms[0] = { upper: [b.armHang + 25 * k, 20 * k], lower: [b.armHang + 25 * k, 20 * k + b.elbow] };
      p.arms[1] = { upper: [b.armHang + 25 * k, -10 * k], lower: [b.armHang + 25 * k, b.elbow] };
    },
  },
  bow: {
    period: 50,
    motion: (p, phase, amp) => {
      const d = rise(phase) * amp;
      p.bend = 75 * d;
      p.headPitch = 15 * d;
      for (const arm of p.arms) {
        arm.upper[1] += 10 * d;
        arm.lower[1] += 15 * d;
      }
    },
  },
  walk_in_place: {
    period: 30,
    motion: (p, phase, amp, b) => {
      const s = Math.sin(phase);
      const lift = [Math.max(0, s), Math.max(0, -s)];
      p.legs = [0, 1].map((i) => ({ upper: [b.stance, 58 * amp * lift[i]], lower: [b.stance, (58 - 75) * amp * lift[i]] })) as [Limb, Limb];
      const swing = [-30 * amp * s, 30 * amp * s];
      p.arms = [0, 1].map((i) => ({ upper: [b.armHang, swing[i]], lower: [b.armHang, swing[i] + 25] })) as [Limb, Limb];
    },
  },
};

function restPose(b: Build): Pose {
  const arm = (): Limb => ({ upper: [b.armHang, 5], lower: [b.armHang, 5 + b.elbow] });
  const leg = (): Limb => ({ upper: [b.stance, 0], lower: [b.stance, 0] });
  return { bend: 0, lean: 0, headPitch: 0, arms: [arm(), arm()], legs: [leg(), leg()], lift: 0 };
}

/** The mirror image of a pose (left and right swapped, lean negated). */
function mirrorPose(p: Pose): Pose {
  return { ...p, lean: -p.lean, arms: [p.arms[1], p.arms[0]], legs: [p.legs[1], p.legs[0]] };
}

/** Unit direction of a limb of the given side (+1 left, -1 right) in body coordinates (x to the performer's left, y down, z forwards). */
function direction([theta, psi]: Angles, side: number): Vec3 {
  const t = theta * DEG;
  const s = psi * DEG;
  return [side * Math.sin(t) * Math.cos(s), Math.cos(t) * Math.cos(s), Math.sin(s)];
}

const add = (a: Vec3, b: Vec3, k = 1): Vec3 => [a[0] + k * b[0], a[1] + k * b[1], a[2] + k * b[2]];

/** Rotates forwards by `bend` (about x) then sideways by `lean` (about z), radians. */
function bodyRotation(bend: number, lean: number): (v: Vec3) => Vec3 {
  const cb = Math.cos(bend),
    sb = Math.sin(bend),
    cl = Math.cos(lean),
    sl = Math.sin(lean);
  return ([x, y, z]) => {
    const y1 = y * cb + z * sb;
    const z1 = -y * sb + z * cb;
    return [x * cl - y1 * sl, x * sl + y1 * cl, z1];
  };
}

/** The 17 COCO joints of a pose in body coordinates, feet on the ground line. */
function skeleton(p: Pose, b: Build): Vec3[] {
  const torso = bodyRotation(p.bend * DEG, p.lean * DEG);
  const head = bodyRotation((p.bend + p.headPitch) * DEG, p.lean * DEG);
  const neck = torso([0, -BODY.torso, 0]);
  const out: Vec3[] = new Array(JOINTS);
  const h = BODY.neckToNose;
  out[0] = add(neck, head([0, -h, 0.06]));
  out[1] = add(neck, head([0.035, -h - 0.035, 0.05]));
  out[2] = add(neck, head([-0.035, -h - 0.035, 0.05]));
  out[3] = add(neck, head([0.075, -h - 0.01, -0.02]));
  out[4] = add(neck, head([-0.075, -h - 0.01, -0.02]));
  for (const i of [0, 1] as const) {
    const side = i === 0 ? 1 : -1;
    const shoulder = torso([side * BODY.shoulderHalf, -BODY.torso + 0.02, 0]);
    const elbow = add(shoulder, direction(p.arms[i].upper, side), BODY.upperArm * b.armScale);
    const wrist = add(elbow, direction(p.arms[i].lower, side), BODY.forearm * b.armScale);
    const hip: Vec3 = [side * BODY.hipHalf, 0, 0];
    const knee = add(hip, direction(p.legs[i].upper, side), BODY.thigh * b.legScale);
    const ankle = add(knee, direction(p.legs[i].lower, side), BODY.shin * b.legScale);
    [out[5 + i], out[7 + i], out[9 + i], out[11 + i], out[13 + i], out[15 + i]] = [shoulder, elbow, wrist, hip, knee, ankle];
  }
  const shift = BODY.ground - Math.max(out[15][1], out[16][1]) - p.lift;
  return out.map(([x, y, z]) => [x, y + shift, z] as Vec3);
}

/** Everything random about one performer in one clip. */
interface Performer {
  build: Build;
  periodScale: number;
  phase0: number;
  amp: number;
  yaw: number;
  roll: number;
  scale: number;
  offset: [number, number];
  swayPhase: number;
  mirrored: boolean;
}

const between = (rng: Random, lo: number, hi: number) => lo + (hi - lo) * rng.uniform();

function drawPerformer(rng: Random, size: number, centreX: number, mirrored: boolean, periodScale: number): Performer {
  return {
    build: {
      armHang: between(rng, 5, 15),
      elbow: between(rng, 5, 20),
      stance: between(rng, 2, 6),
      armScale: between(rng, 0.93, 1.07),
      legScale: between(rng, 0.93, 1.07),
    },
    periodScale,
    phase0: between(rng, 0, 2 * Math.PI),
    amp: between(rng, 0.85, 1.1),
    yaw: between(rng, -30, 30) * DEG,
    roll: between(rng, -10, 10) * DEG,
    scale: size * between(rng, 0.85, 1.15),
    offset: [centreX + between(rng, -0.15, 0.15), between(rng, -0.1, 0.1)],
    swayPhase: between(rng, 0, 2 * Math.PI),
    mirrored,
  };
}

/** Writes the frames of one performer into `out` (`[frames][persons][17][3]`) at person slot `m`. */
function renderPerformer(
  rng: Random,
  out: Float32Array,
  frames: number,
  persons: number,
  m: number,
  action: string,
  who: Performer,
  noise: number,
  dropRate: number,
): void {
  const { period, motion } = MOTIONS[action];
  const cy = Math.cos(who.yaw),
    sy = Math.sin(who.yaw),
    cr = Math.cos(who.roll),
    sr = Math.sin(who.roll);
  for (let t = 0; t < frames; t++) {
    const phase = (2 * Math.PI * t) / (period * who.periodScale) + who.phase0;
    let pose = restPose(who.build);
    pose.lean = 3 * Math.sin((2 * Math.PI * t) / 90 + who.swayPhase);
    motion(pose, phase, who.amp, who.build);
    if (who.mirrored) pose = mirrorPose(pose);
    const joints = skeleton(pose, who.build);
    for (let v = 0; v < JOINTS; v++) {
      const [bx, by, bz] = joints[v];
      const px = bx * cy + bz * sy; // orthographic view from the yawed camera
      let x = who.scale * (px * cr - by * sr) + who.offset[0] + noise * rng.normal();
      let y = who.scale * (px * sr + by * cr) + who.offset[1] + noise * rng.normal();
      let score = 0.8 + 0.2 * rng.uniform();
      if (rng.uniform() < dropRate) {
        x = 0;
        y = 0;
        score = between(rng, 0.1, 0.3);
      }
      const k = ((t * persons + m) * JOINTS + v) * CHANNELS;
      out[k] = Math.min(1.5, Math.max(-1.5, x));
      out[k + 1] = Math.min(1.5, Math.max(-1.5, y));
      out[k + 2] = score;
    }
  }
}

function optionalNumber(arg: string, value: unknown, fallback: number, check: (v: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !check(value)) fail(arg, expected, value);
  return value;
}

/**
 * Procedurally generates an honestly synthetic COCO-17 action dataset (no recorded data): a kinematic
 * body model (torso, head, two-segment limbs, feet on the ground) animated per class, seen from a
 * random yaw (+-30 deg), with per-sample length, speed (period 0.8x-1.25x), phase, amplitude, build,
 * body scale (0.85-1.15), position offset, in-plane rotation (+-10 deg), per-frame jitter and dropped
 * joints. Samples are interleaved by class (sample i has label `i % classes.length`); coordinates are
 * clipped to [-1.5, 1.5]. Deterministic for given options (defaults in {@link SyntheticActionOptions}).
 *
 * @example
 * ```ts
 * import { generateSyntheticActions } from 'ske2grid';
 * // defaults: 40 samples per class, 24-64 frames, 1 person, noise 0.01, dropRate 0.02, seed 0
 * const { samples, classes } = generateSyntheticActions({ samplesPerClass: 5, seed: 7 });
 * samples.length; // 40 = 5 x 8 classes; samples[i].label === i % 8
 * ```
 */
export function generateSyntheticActions(options: SyntheticActionOptions = {}): { samples: SkeletonSample[]; classes: readonly string[] } {
  if (options == null || typeof options !== 'object') fail('options', 'an object of SyntheticActionOptions', options);
  const isInt = (min: number) => (v: number) => Number.isInteger(v) && v >= min;
  const samplesPerClass = optionalNumber('options.samplesPerClass', options.samplesPerClass, 40, isInt(1), 'an integer >= 1');
  const minFrames = optionalNumber('options.minFrames', options.minFrames, 24, isInt(1), 'an integer >= 1');
  const maxFrames = optionalNumber('options.maxFrames', options.maxFrames, 64, isInt(minFrames), `an integer >= minFrames (${minFrames})`);
  const persons = optionalNumber('options.persons', options.persons, 1, (v) => v === 1 || v === 2, '1 or 2');
  const noise = optionalNumber('options.noise', options.noise, 0.01, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0');
  const dropRate = optionalNumber('options.dropRate', options.dropRate, 0.02, (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
  const seed = optionalNumber('options.seed', options.seed, 0, Number.isSafeInteger, 'a safe integer');

  const rng = createRandom(seed);
  const classes = SYNTHETIC_ACTION_CLASSES;
  const samples: SkeletonSample[] = [];
  for (let i = 0; i < samplesPerClass; i++) {
    for (let label = 0; label < classes.length; label++) {
      const frames = minFrames + rng.int(maxFrames - minFrames + 1);
      const keypoints = new Float32Array(frames * persons * JOINTS * CHANNELS);
      const periodScale = between(rng, 0.8, 1.25);
      const partner = persons === 2 && rng.uniform() >= 0.5;
      const side = rng.uniform() < 0.5 ? -1 : 1;
      const size = partner ? 0.7 : 1;
      const first = drawPerformer(rng, size, partner ? side * 0.45 : 0, false, periodScale);
      renderPerformer(rng, keypoints, frames, persons, 0, classes[label], first, noise, dropRate);
      if (partner) {
        const second = drawPerformer(rng, size, -side * 0.45, true, periodScale);
        renderPerformer(rng, keypoints, frames, persons, 1, classes[label], second, noise, dropRate);
      }
      samples.push({ keypoints, frames, persons, joints: JOINTS, channels: CHANNELS, label });
    }
  }
  return { samples, classes };
}

/**
 * Stacks samples into the model input layout `[batch, persons, frames, 17, 3]` (person before frame),
 * resampling each clip of T_i frames uniformly to `frames` (frame i takes `floor((i + 0.5) * T_i / frames)`)
 * and zero-padding person slots a sample lacks. A sample with more persons than `persons` is an error.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { generateSyntheticActions, toBatch } from 'ske2grid';
 * const { samples } = generateSyntheticActions({ samplesPerClass: 2 });
 * const batch = toBatch(samples, 32, 2); // x: [16, 2, 32, 17, 3] row-major, labels [16]
 * const x = tf.tensor(batch.x, batch.shape), y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), 8);
 * ```
 */
export function toBatch(samples: SkeletonSample[], frames: number, persons: number): SkeletonBatch {
  if (!Array.isArray(samples) || samples.length === 0) fail('samples', 'a non-empty array of SkeletonSample', samples);
  if (!Number.isInteger(frames) || frames < 1) fail('frames', 'an integer >= 1', frames);
  if (!Number.isInteger(persons) || persons < 1) fail('persons', 'an integer >= 1', persons);
  const perFrame = persons * JOINTS * CHANNELS;
  const x = new Float32Array(samples.length * frames * perFrame);
  const labels = new Int32Array(samples.length);
  samples.forEach((s, b) => {
    const arg = `samples[${b}]`;
    if (s == null || typeof s !== 'object') fail(arg, 'a SkeletonSample', s);
    if (s.joints !== JOINTS) fail(`${arg}.joints`, String(JOINTS), s.joints);
    if (s.channels !== CHANNELS) fail(`${arg}.channels`, String(CHANNELS), s.channels);
    if (!Number.isInteger(s.frames) || s.frames < 1) fail(`${arg}.frames`, 'an integer >= 1', s.frames);
    if (!Number.isInteger(s.persons) || s.persons < 1 || s.persons > persons) {
      fail(`${arg}.persons`, `an integer in [1, ${persons}] (the batch's persons)`, s.persons);
    }
    if (!Number.isInteger(s.label) || s.label < 0) fail(`${arg}.label`, 'an integer >= 0', s.label);
    const expected = s.frames * s.persons * JOINTS * CHANNELS;
    if (!(s.keypoints instanceof Float32Array) || s.keypoints.length !== expected) {
      fail(
        `${arg}.keypoints`,
        `a Float32Array of length frames * persons * 17 * 3 = ${expected}`,
        s.keypoints instanceof Float32Array ? `length ${s.keypoints.length}` : typeof s.keypoints,
      );
    }
    labels[b] = s.label;
    const block = JOINTS * CHANNELS;
    for (let i = 0; i < frames; i++) {
      const src = Math.floor(((i + 0.5) * s.frames) / frames);
      for (let m = 0; m < s.persons; m++) {
        const from = (src * s.persons + m) * block;
        const to = ((b * persons + m) * frames + i) * block;
        x.set(s.keypoints.subarray(from, from + block), to);
      }
    }
  });
  return { x, shape: [samples.length, persons, frames, JOINTS, CHANNELS], labels };
}
