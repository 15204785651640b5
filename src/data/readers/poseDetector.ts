import { Ske2GridError, fail, requireInt } from '../../errors.js';
import { COCO17 } from '../../layouts/coco17.js';
import type { SkeletonSequence } from '../skeletonSequence.js';

/** One keypoint as a pose detector reports it: pixel `x`, `y` (MediaPipe: normalised to [0, 1]) and a confidence. */
export interface DetectedKeypoint {
  /** Horizontal position (pixels; MediaPipe: fraction of the image width). */
  x: number;
  /** Vertical position, downwards (pixels; MediaPipe: fraction of the image height). */
  y: number;
  /** Depth, ignored. */
  z?: number;
  /** Confidence in [0, 1] (pose-detection); 1 when absent. */
  score?: number;
  /** Visibility in [0, 1] (MediaPipe landmarks); used as the score when `score` is absent. */
  visibility?: number;
  /** Keypoint name, e.g. `'left_eye'` (pose-detection); used to tell the format. */
  name?: string;
}

/** One detected person in the `@tensorflow-models/pose-detection` shape. */
export interface DetectedPose {
  /** Keypoints in the model's order (17 for MoveNet, 33 for BlazePose); a `null` entry is a missing keypoint. */
  keypoints: readonly (DetectedKeypoint | null | undefined)[];
  /** Person confidence; when absent, the mean score of its 17 COCO keypoints. */
  score?: number;
  /** Track id (MoveNet multipose with tracking); keeps a person in the same slot across frames. */
  id?: number;
}

/** A person as detectors return it: a {@link DetectedPose}, or a bare MediaPipe landmark list (`result.landmarks[i]`). */
export type PoseInput = DetectedPose | readonly (DetectedKeypoint | null | undefined)[];

/**
 * Keypoint convention of the input: `'movenet'` (17 COCO keypoints in pixels), `'blazepose'` (33
 * BlazePose keypoints in pixels), `'mediapipe'` (33 BlazePose landmarks normalised to [0, 1], `visibility`).
 */
export type PoseFormat = 'movenet' | 'blazepose' | 'mediapipe';

/**
 * The accepted {@link PoseFormat} names.
 *
 * @example
 * ```ts
 * import { POSE_FORMATS } from 'ske2grid';
 * POSE_FORMATS; // ['movenet', 'blazepose', 'mediapipe']
 * ```
 */
export const POSE_FORMATS: readonly PoseFormat[] = Object.freeze(['movenet', 'blazepose', 'mediapipe']);

/**
 * For each COCO-17 joint (in {@link COCO17} order), its index among BlazePose's 33 keypoints (order of
 * `BLAZEPOSE_KEYPOINTS` in tensorflow/tfjs-models `pose-detection/src/constants.ts`, = MediaPipe Pose landmarks).
 *
 * @example
 * ```ts
 * import { BLAZEPOSE_TO_COCO17, COCO17 } from 'ske2grid';
 * COCO17.joints[9]; // 'left_wrist'
 * BLAZEPOSE_TO_COCO17[9]; // 15: BlazePose's left_wrist; length 17
 * ```
 */
export const BLAZEPOSE_TO_COCO17: readonly number[] = Object.freeze([0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]);

const COCO_JOINTS = COCO17.joints.length;
const MOVENET_TO_COCO17: readonly number[] = Object.freeze(Array.from({ length: COCO_JOINTS }, (_, j) => j));
const EXPECTED_COUNT: Record<PoseFormat, number> = { movenet: 17, blazepose: 33, mediapipe: 33 };
/** Names only BlazePose has (pose-detection spelling), to tell a named 33-point pose from a 17-point one. */
const BLAZEPOSE_ONLY = new Set(['left_eye_inner', 'left_eye_outer', 'right_eye_inner', 'right_eye_outer', 'mouth_left', 'mouth_right']);

/** One person mapped to COCO-17: `xy` `[17][2]` pixels, `score` `[17]` (0 for a missing keypoint), `poseScore`, track `id`. */
export interface CocoPose {
  /** Pixel coordinates `[17][2]` (x, y). */
  xy: Float32Array;
  /** Keypoint confidences `[17]`. */
  score: Float32Array;
  /** Person confidence used to drop extra persons (lowest first). */
  poseScore: number;
  /** Track id, when the detector gave one. */
  id?: number;
}

/** Options shared by the pose-detector adapters. */
export interface PoseFrameOptions {
  /** Keypoint convention; default: told apart per pose by {@link detectPoseFormat}. */
  format?: PoseFormat;
  /** Person slots M; default 2 (or the tracker's count when a tracker is given). */
  persons?: number;
  /** Image size `[height, width]` in pixels; required for `'mediapipe'`, otherwise only recorded on sequences. Default none. */
  imageShape?: readonly [number, number];
}

/** Options of {@link poseFrameToKeypoints}. */
export interface PoseFrameToKeypointsOptions extends PoseFrameOptions {
  /** Slot state carried across frames (track ids, last centres); default none: slots filled by score, highest first. */
  tracker?: PersonSlotTracker;
}

/** One frame's persons in slots: `keypoint` `[M][17][2]` pixels and `score` `[M][17]`; an empty slot is zeros. */
export interface PoseFrameKeypoints {
  /** Pixel coordinates, length `M * 17 * 2`, layout `[M][V][C]`. */
  keypoint: Float32Array;
  /** Confidences, length `M * 17`, layout `[M][V]`. */
  score: Float32Array;
}

/** Options of {@link PoseTrackBuffer}. */
export interface PoseTrackBufferOptions extends PoseFrameOptions {
  /** Most recent frames kept (a ring: older frames are overwritten); default `Infinity` (keep all). */
  capacity?: number;
}

/** Options of {@link posesToSequence}. */
export interface PosesToSequenceOptions extends PoseFrameOptions {
  /** Class index recorded on the sequence; default none. */
  label?: number;
  /** Identifier recorded on the sequence; default none. */
  id?: string;
}

function checkPoseObject(pose: unknown, what: string): readonly (DetectedKeypoint | null | undefined)[] {
  if (Array.isArray(pose)) return pose;
  if (pose == null || typeof pose !== 'object' || !Array.isArray((pose as DetectedPose).keypoints)) {
    fail(what, 'a pose {keypoints: [...]} or an array of landmarks', pose);
  }
  return (pose as DetectedPose).keypoints;
}

/**
 * Tells the keypoint convention of one person: a bare landmark array, or keypoints with `visibility`
 * and no `score`, is `'mediapipe'`; BlazePose-only names or 33 keypoints `'blazepose'`; 17 keypoints
 * `'movenet'`. Anything else raises an error naming `what` (default `'pose'`).
 *
 * @example
 * ```ts
 * import { detectPoseFormat, type DetectedPose } from 'ske2grid';
 * declare const pose: DetectedPose; // one person from @tensorflow-models/pose-detection
 * detectPoseFormat(pose); // 'movenet' for 17 keypoints, 'blazepose' for 33
 * detectPoseFormat([{ x: 0.5, y: 0.4, visibility: 0.9 }]); // 'mediapipe' (a bare landmark list)
 * ```
 */
export function detectPoseFormat(pose: PoseInput, what = 'pose'): PoseFormat {
  const keypoints = checkPoseObject(pose, what);
  if (Array.isArray(pose)) return 'mediapipe';
  const present = keypoints.filter((k): k is DetectedKeypoint => k != null && typeof k === 'object');
  if (present.length > 0 && present.some((k) => k.visibility !== undefined) && present.every((k) => k.score === undefined)) {
    return 'mediapipe';
  }
  if (present.some((k) => typeof k.name === 'string' && BLAZEPOSE_ONLY.has(k.name))) return 'blazepose';
  if (keypoints.length === 17) return 'movenet';
  if (keypoints.length === 33) return 'blazepose';
  return fail(`${what}.keypoints`, '17 (MoveNet) or 33 (BlazePose / MediaPipe) keypoints', `${keypoints.length} keypoints`);
}

function checkImageShape(shape: unknown): readonly [number, number] | undefined {
  if (shape === undefined) return undefined;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)) {
    fail('options.imageShape', '[height, width] with positive finite numbers', shape);
  }
  return [shape[0], shape[1]];
}

function checkFormat(format: unknown): PoseFormat | undefined {
  if (format !== undefined && !POSE_FORMATS.includes(format as PoseFormat)) {
    fail('options.format', `one of ${POSE_FORMATS.map((f) => `'${f}'`).join(', ')} or undefined`, format);
  }
  return format as PoseFormat | undefined;
}

function finiteOr(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(what, 'a finite number or undefined', value);
  return value;
}

/**
 * Maps one person to COCO-17 (`xy` in pixels, `score`, `poseScore`, `id`). MoveNet keeps its order;
 * BlazePose and MediaPipe take the joints at {@link BLAZEPOSE_TO_COCO17}; MediaPipe's normalised
 * coordinates are scaled by `imageShape` (required) and its `visibility` is the score. A missing
 * keypoint (`null`) is zeros with score 0; a keypoint without a score gets 1. Non-finite values raise
 * an error naming `what` (default `'pose'`) and the keypoint. `options.format` default: {@link detectPoseFormat}.
 *
 * @example
 * ```ts
 * import { toCocoPose, type PoseInput } from 'ske2grid';
 * declare const landmarks: PoseInput; // MediaPipe result.landmarks[0]: 33 normalised landmarks
 * const coco = toCocoPose(landmarks, { imageShape: [720, 1280] }); // xy [17][2] pixels, score [17] (visibility)
 * ```
 */
export function toCocoPose(pose: PoseInput, options: Omit<PoseFrameOptions, 'persons'> = {}, what = 'pose'): CocoPose {
  const keypoints = checkPoseObject(pose, what);
  const format = checkFormat(options.format) ?? detectPoseFormat(pose, what);
  const expected = EXPECTED_COUNT[format];
  const kpWhat = Array.isArray(pose) ? what : `${what}.keypoints`;
  if (keypoints.length !== expected) fail(kpWhat, `${expected} keypoints for format '${format}'`, `${keypoints.length} keypoints`);
  const imageShape = checkImageShape(options.imageShape);
  let sx = 1,
    sy = 1;
  if (format === 'mediapipe') {
    if (imageShape === undefined) fail('options.imageShape', "[height, width] in pixels for format 'mediapipe' (normalised landmarks)", undefined);
    [sy, sx] = imageShape;
  }
  const map = format === 'movenet' ? MOVENET_TO_COCO17 : BLAZEPOSE_TO_COCO17;
  const xy = new Float32Array(COCO_JOINTS * 2);
  const score = new Float32Array(COCO_JOINTS);
  map.forEach((k, j) => {
    const kp = keypoints[k];
    if (kp == null) return;
    const at = `${kpWhat}[${k}]`;
    if (typeof kp !== 'object') fail(at, 'a keypoint {x, y, score?} or null', kp);
    if (typeof kp.x !== 'number' || !Number.isFinite(kp.x)) fail(`${at}.x`, 'a finite number', kp.x);
    if (typeof kp.y !== 'number' || !Number.isFinite(kp.y)) fail(`${at}.y`, 'a finite number', kp.y);
    const s = kp.score !== undefined ? finiteOr(kp.score, 1, `${at}.score`) : finiteOr(kp.visibility, 1, `${at}.visibility`);
    xy[2 * j] = kp.x * sx;
    xy[2 * j + 1] = kp.y * sy;
    score[j] = s;
  });
  const meta: { score?: unknown; id?: unknown } = Array.isArray(pose) ? {} : (pose as DetectedPose);
  const poseScore = finiteOr(meta.score, score.reduce((a, b) => a + b, 0) / COCO_JOINTS, `${what}.score`);
  if (meta.id === undefined) return { xy, score, poseScore };
  if (typeof meta.id !== 'number' || !Number.isFinite(meta.id)) fail(`${what}.id`, 'a finite number or undefined', meta.id);
  return { xy, score, poseScore, id: meta.id };
}

/** Mean position of the keypoints with score > 0, or null when there is none. */
function centreOf(p: CocoPose): [number, number] | null {
  let x = 0,
    y = 0,
    n = 0;
  for (let j = 0; j < COCO_JOINTS; j++) {
    if (p.score[j] > 0) {
      x += p.xy[2 * j];
      y += p.xy[2 * j + 1];
      n++;
    }
  }
  return n === 0 ? null : [x / n, y / n];
}

/**
 * Keeps persons in the same slots across frames. Per frame: the M highest-scoring persons are kept
 * (extras dropped, lowest score first); a person whose track `id` owns a slot gets that slot; persons
 * without an id take the slot whose last known centre is nearest (greedy, closest pair first); the
 * rest (new ids, no match) fill the free slots in index order.
 *
 * @example
 * ```ts
 * import { PersonSlotTracker, poseFrameToKeypoints, type DetectedPose } from 'ske2grid';
 * declare const video: DetectedPose[][]; // video[t]: the persons found in frame t
 * const tracker = new PersonSlotTracker(2); // 2 slots (the default)
 * for (const poses of video) {
 *   const { keypoint, score } = poseFrameToKeypoints(poses, { tracker }); // [2][17][2] pixels, [2][17]
 * }
 * ```
 */
export class PersonSlotTracker {
  /** Person slots M. */
  readonly persons: number;
  private ids: (number | undefined)[];
  private centres: ([number, number] | null)[];

  /** A tracker for `persons` slots (default 2) with no history. */
  constructor(persons = 2) {
    this.persons = requireInt('persons', persons, 1);
    this.ids = new Array<number | undefined>(this.persons).fill(undefined);
    this.centres = new Array<[number, number] | null>(this.persons).fill(null);
  }

  /** Forgets every track (ids and centres). */
  reset(): void {
    this.ids.fill(undefined);
    this.centres.fill(null);
  }

  /** Assigns one frame's persons to slots and remembers them; returns each person's slot, or -1 when dropped. */
  assign(poses: readonly CocoPose[]): number[] {
    const m = this.persons;
    const slotOf = new Array<number>(poses.length).fill(-1);
    const taken = new Array<boolean>(m).fill(false);
    const kept = poses
      .map((_, i) => i)
      .sort((a, b) => poses[b].poseScore - poses[a].poseScore || a - b)
      .slice(0, m);
    const centres = poses.map(centreOf);
    const put = (i: number, s: number) => {
      slotOf[i] = s;
      taken[s] = true;
    };
    for (const i of kept) {
      const id = poses[i].id;
      if (id === undefined) continue;
      const s = this.ids.findIndex((owner, k) => owner === id && !taken[k]);
      if (s >= 0) put(i, s);
    }
    const pairs: [number, number, number][] = [];
    for (const i of kept) {
      const c = centres[i];
      if (poses[i].id !== undefined || c === null) continue;
      this.centres.forEach((sc, s) => {
        if (sc !== null && !taken[s]) pairs.push([Math.hypot(c[0] - sc[0], c[1] - sc[1]), i, s]);
      });
    }
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    for (const [, i, s] of pairs) if (slotOf[i] < 0 && !taken[s]) put(i, s);
    for (const i of kept) {
      if (slotOf[i] >= 0) continue;
      put(i, taken.indexOf(false));
    }
    poses.forEach((p, i) => {
      const s = slotOf[i];
      if (s < 0) return;
      this.ids[s] = p.id;
      if (centres[i] !== null) this.centres[s] = centres[i];
    });
    return slotOf;
  }
}

function checkPoses(poses: unknown, what: string): readonly PoseInput[] {
  if (!Array.isArray(poses)) fail(what, 'an array of poses (possibly empty)', poses);
  return poses;
}

/**
 * Maps ONE frame's detected persons to slots: `keypoint` `[M][17][2]` pixels and `score` `[M][17]`
 * (COCO-17), empty slots zeros. Pass the same `tracker` for consecutive frames to keep persons in
 * their slots; without one, persons fill slots by score, highest first. `persons` default 2; `what` (default
 * `'poses'`) names the argument in errors. Fresh arrays each call.
 *
 * @example
 * ```ts
 * import { poseFrameToKeypoints, type DetectedPose } from 'ske2grid';
 * declare const poses: DetectedPose[]; // one frame of MoveNet multipose output
 * const { keypoint, score } = poseFrameToKeypoints(poses); // [2][17][2] pixels, [2][17]; best-scoring person in slot 0
 * ```
 */
export function poseFrameToKeypoints(poses: readonly PoseInput[], options: PoseFrameToKeypointsOptions = {}, what = 'poses'): PoseFrameKeypoints {
  const tracker = options.tracker ?? new PersonSlotTracker(options.persons ?? 2);
  if (!(tracker instanceof PersonSlotTracker)) fail('options.tracker', 'a PersonSlotTracker or undefined', tracker);
  if (options.persons !== undefined && options.persons !== tracker.persons) {
    fail('options.persons', `${tracker.persons} (the tracker's slot count)`, options.persons);
  }
  const people = checkPoses(poses, what).map((p, i) => toCocoPose(p, options, `${what}[${i}]`));
  const slots = tracker.assign(people);
  const m = tracker.persons;
  const keypoint = new Float32Array(m * COCO_JOINTS * 2);
  const score = new Float32Array(m * COCO_JOINTS);
  people.forEach((p, i) => {
    const s = slots[i];
    if (s < 0) return;
    keypoint.set(p.xy, s * COCO_JOINTS * 2);
    score.set(p.score, s * COCO_JOINTS);
  });
  return { keypoint, score };
}

/**
 * Collects detector output frame by frame (`push`) with person tracking, and returns the frames held
 * as a COCO-17 {@link SkeletonSequence} (`toSequence`). With `capacity` it is a ring keeping the
 * most recent frames (default: all frames, 2 person slots).
 *
 * @example
 * ```ts
 * import { PoseTrackBuffer, type DetectedPose } from 'ske2grid';
 * declare const poses: DetectedPose[]; // the persons found in the newest video frame
 * const buffer = new PoseTrackBuffer({ capacity: 64, imageShape: [480, 640] }); // 2 person slots by default
 * buffer.push(poses); // once per frame
 * const seq = buffer.toSequence(); // the last <= 64 frames: keypoint [2][T][17][2], score [2][T][17]
 * ```
 */
export class PoseTrackBuffer {
  /** Person slots M. */
  readonly persons: number;
  /** Most recent frames kept. */
  readonly capacity: number;
  private readonly options: PoseFrameToKeypointsOptions;
  private readonly tracker: PersonSlotTracker;
  private frames: PoseFrameKeypoints[] = [];
  private next = 0;

  /** An empty buffer; see {@link PoseTrackBufferOptions} for the defaults. */
  constructor(options: PoseTrackBufferOptions = {}) {
    if (options == null || typeof options !== 'object') fail('options', 'an options object or undefined', options);
    const { capacity = Infinity, format, imageShape } = options;
    if (capacity !== Infinity) requireInt('options.capacity', capacity, 1);
    this.capacity = capacity;
    this.persons = requireInt('options.persons', options.persons ?? 2, 1);
    this.tracker = new PersonSlotTracker(this.persons);
    this.options = { format: checkFormat(format), imageShape: checkImageShape(imageShape), tracker: this.tracker };
  }

  /** Frames held (at most `capacity`). */
  get length(): number {
    return this.frames.length;
  }

  /** Adds one frame's detected persons (an empty array is a frame without persons). */
  push(poses: readonly PoseInput[], what = 'poses'): void {
    const frame = poseFrameToKeypoints(poses, this.options, what);
    if (this.frames.length < this.capacity) {
      this.frames.push(frame);
    } else {
      this.frames[this.next] = frame;
      this.next = (this.next + 1) % this.capacity;
    }
  }

  /** Forgets all frames and tracks. */
  clear(): void {
    this.frames = [];
    this.next = 0;
    this.tracker.reset();
  }

  /** The frames held, oldest first, as `[M][T][17][2]` pixels + `score` `[M][T][17]` (+ `imageShape`, `label`, `id` when given). */
  toSequence(meta: { label?: number; id?: string } = {}): SkeletonSequence {
    const t = this.frames.length;
    if (t === 0) throw new Ske2GridError('PoseTrackBuffer.toSequence: expected at least 1 pushed frame, got 0');
    if (meta.label !== undefined) requireInt('label', meta.label, 0);
    if (meta.id !== undefined && typeof meta.id !== 'string') fail('id', 'a string or undefined', meta.id);
    const m = this.persons,
      v = COCO_JOINTS;
    const keypoint = new Float32Array(m * t * v * 2);
    const score = new Float32Array(m * t * v);
    for (let k = 0; k < t; k++) {
      const frame = this.frames[(this.next + k) % t];
      for (let p = 0; p < m; p++) {
        keypoint.set(frame.keypoint.subarray(p * v * 2, (p + 1) * v * 2), (p * t + k) * v * 2);
        score.set(frame.score.subarray(p * v, (p + 1) * v), (p * t + k) * v);
      }
    }
    const s: SkeletonSequence = { keypoint, score, persons: m, frames: t, joints: v, dims: 2 };
    if (this.options.imageShape !== undefined) s.imageShape = this.options.imageShape;
    if (meta.label !== undefined) s.label = meta.label;
    if (meta.id !== undefined) s.id = meta.id;
    return s;
  }
}

/**
 * Turns pose-detector output over time (`frames[t]` = the persons found in frame t) into a COCO-17
 * {@link SkeletonSequence}: C = 2 pixel coordinates, `score`, `persons` slots (default 2) kept by track
 * id or nearest centre, missing persons and keypoints zeros with score 0.
 *
 * @example
 * ```ts
 * import { normalize2D, posesToSequence, type DetectedPose } from 'ske2grid';
 * declare const frames: DetectedPose[][]; // frames[t]: the persons found in video frame t
 * const seq = posesToSequence(frames, { imageShape: [1080, 1920], label: 3 }); // [2][T][17][2] pixels + scores
 * const normalised = normalize2D(seq); // x, y in [-1, 1)
 * ```
 */
export function posesToSequence(frames: readonly (readonly PoseInput[])[], options: PosesToSequenceOptions = {}): SkeletonSequence {
  if (!Array.isArray(frames) || frames.length === 0) fail('frames', 'a non-empty array of frames (arrays of poses)', frames);
  const buffer = new PoseTrackBuffer(options);
  frames.forEach((poses, t) => buffer.push(poses, `frames[${t}]`));
  return buffer.toSequence({ label: options.label, id: options.id });
}
