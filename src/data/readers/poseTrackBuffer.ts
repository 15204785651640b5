import { fail, requireInt } from '../../errors.js';
import type { SkeletonSequence } from '../skeletonSequence.js';
import { PersonSlotTracker } from './personSlotTracker.js';
import { poseFrameToKeypoints, type PoseFrameKeypoints, type PoseFrameToKeypointsOptions } from './poseFrameToKeypoints.js';
import { COCO_JOINTS, checkFormat, checkImageShape, type PoseFrameOptions, type PoseInput } from './poseFormats.js';

/** Options of {@link PoseTrackBuffer}. */
export interface PoseTrackBufferOptions extends PoseFrameOptions {
  /** Most recent frames kept (a ring: older frames are overwritten); default `Infinity` (keep all). */
  capacity?: number;
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
    if (t === 0) fail('PoseTrackBuffer.toSequence', 'at least 1 pushed frame', t);
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
