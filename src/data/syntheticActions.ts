import { fail } from '../errors.js';
import { createRandom, type Random } from '../random/random.js';
import type { SkeletonSequence } from './skeletonSequence.js';

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

/** What {@link generateSyntheticActions} returns: the clips and the class names (label = index). */
export interface SyntheticActions {
  /**
   * The clips, COCO-17 {@link SkeletonSequence}s: `keypoint` `[M][T][17][2]` (x, y roughly in [-1, 1],
   * image-like, y points down; an absent person is all zeros), `score` `[M][T][17]` in (0, 1], `label`.
   */
  sequences: SkeletonSequence[];
  /** {@link SYNTHETIC_ACTION_CLASSES}. */
  classes: readonly string[];
}

const JOINTS = 17;
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

/** Writes the frames of one performer at person slot `m` of `seq` (`keypoint` `[M][T][17][2]`, `score` `[M][T][17]`). */
function renderPerformer(rng: Random, seq: SkeletonSequence, m: number, action: string, who: Performer, noise: number, dropRate: number): void {
  const { period, motion } = MOTIONS[action];
  const { frames, keypoint } = seq;
  const score = seq.score!;
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
      let confidence = 0.8 + 0.2 * rng.uniform();
      if (rng.uniform() < dropRate) {
        x = 0;
        y = 0;
        confidence = between(rng, 0.1, 0.3);
      }
      const k = (m * frames + t) * JOINTS + v;
      keypoint[2 * k] = Math.min(1.5, Math.max(-1.5, x));
      keypoint[2 * k + 1] = Math.min(1.5, Math.max(-1.5, y));
      score[k] = confidence;
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
 * clipped to [-1.5, 1.5]. Each sample is a {@link SkeletonSequence} (`[M][T][17][2]` + scores), so the
 * data pipeline (`uniformSampleIndices`, `sampleFrames`, `formatClips`, `clipBatchDataset`) takes it as
 * it takes recorded data. Deterministic for given options (defaults in {@link SyntheticActionOptions}).
 *
 * @example
 * ```ts
 * import { clipBatchDataset, formatClips, generateSyntheticActions, sampleFrames, uniformSampleIndices } from 'ske2grid';
 * // defaults: 40 samples per class, 24-64 frames, 1 person, noise 0.01, dropRate 0.02, seed 0
 * const { sequences, classes } = generateSyntheticActions({ samplesPerClass: 5, seed: 7 });
 * sequences.length; // 40 = 5 x 8 classes; sequences[i].label === i % 8
 * // training batches: 32 frames drawn per clip (PYSKL's UniformSampleFrames), score as the third channel
 * const batches = clipBatchDataset(sequences, {
 *   clips: (seq, random) => formatClips(sampleFrames(seq, uniformSampleIndices(seq.frames, 32, { random })), { persons: 1 }),
 *   numClasses: classes.length,
 * }); // xs [16, 1, 32, 17, 3], ys [16, 8]
 * ```
 */
export function generateSyntheticActions(options: SyntheticActionOptions = {}): SyntheticActions {
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
  const sequences: SkeletonSequence[] = [];
  for (let i = 0; i < samplesPerClass; i++) {
    for (let label = 0; label < classes.length; label++) {
      const frames = minFrames + rng.int(maxFrames - minFrames + 1);
      const seq: SkeletonSequence = {
        keypoint: new Float32Array(persons * frames * JOINTS * 2),
        score: new Float32Array(persons * frames * JOINTS),
        persons,
        frames,
        joints: JOINTS,
        dims: 2,
        label,
      };
      const periodScale = between(rng, 0.8, 1.25);
      const partner = persons === 2 && rng.uniform() >= 0.5;
      const side = rng.uniform() < 0.5 ? -1 : 1;
      const size = partner ? 0.7 : 1;
      const first = drawPerformer(rng, size, partner ? side * 0.45 : 0, false, periodScale);
      renderPerformer(rng, seq, 0, classes[label], first, noise, dropRate);
      if (partner) {
        const second = drawPerformer(rng, size, -side * 0.45, true, periodScale);
        renderPerformer(rng, seq, 1, classes[label], second, noise, dropRate);
      }
      sequences.push(seq);
    }
  }
  return { sequences, classes };
}
