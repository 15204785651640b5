import { fail } from '../../errors.js';
import { COCO17 } from '../../layouts/coco17.js';

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

/** Joints of COCO-17, the layout every pose is mapped to. */
export const COCO_JOINTS = COCO17.joints.length;
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

/** Checks `options.imageShape`: undefined or `[height, width]` with positive finite numbers. */
export function checkImageShape(shape: unknown): readonly [number, number] | undefined {
  if (shape === undefined) return undefined;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)) {
    fail('options.imageShape', '[height, width] with positive finite numbers', shape);
  }
  return [shape[0], shape[1]];
}

/** Checks `options.format`: undefined or one of {@link POSE_FORMATS}. */
export function checkFormat(format: unknown): PoseFormat | undefined {
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
