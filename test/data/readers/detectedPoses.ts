/** Pose-detector output for the reader tests: named MoveNet / BlazePose keypoints and sequence accessors. */
import { expect } from 'vitest';
import type { DetectedPose } from '../../../src/data/readers/poseFormats.js';
import type { SkeletonSequence } from '../../../src/data/skeletonSequence.js';
import { Ske2GridError } from '../../../src/errors.js';

export const COCO_NAMES = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
];
export const BLAZEPOSE_NAMES = [
  'nose',
  'left_eye_inner',
  'left_eye',
  'left_eye_outer',
  'right_eye_inner',
  'right_eye',
  'right_eye_outer',
  'left_ear',
  'right_ear',
  'mouth_left',
  'mouth_right',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_pinky',
  'right_pinky',
  'left_index',
  'right_index',
  'left_thumb',
  'right_thumb',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
  'left_heel',
  'right_heel',
  'left_foot_index',
  'right_foot_index',
];

/** A MoveNet pose: joint j at (x0 + j, y0 + 2j), score 0.5 (centre (x0 + 8, y0 + 16)). */
export function movenet(x0: number, y0: number, extra: { score?: number; id?: number } = {}): DetectedPose {
  return { keypoints: COCO_NAMES.map((name, j) => ({ x: x0 + j, y: y0 + 2 * j, score: 0.5, name })), ...extra };
}

/** [x, y, score] of person m, frame t, joint v. */
export function at(s: SkeletonSequence, m: number, t: number, v: number): number[] {
  const i = (m * s.frames + t) * s.joints + v;
  return [s.keypoint[2 * i], s.keypoint[2 * i + 1], s.score![i]];
}
/** The x of joint 0 of each slot at frame t (0 for an empty slot). */
export const slotX = (s: SkeletonSequence, t: number) => Array.from({ length: s.persons }, (_, m) => at(s, m, t, 0)[0]);

export function throwsSke2Grid(f: () => unknown, message: string | RegExp): void {
  expect(f).toThrow(Ske2GridError);
  expect(f).toThrow(message);
}
