import { fail } from '../../errors.js';
import { PersonSlotTracker } from './personSlotTracker.js';
import { COCO_JOINTS, toCocoPose, type PoseFrameOptions, type PoseInput } from './poseFormats.js';

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
