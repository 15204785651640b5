import { fail } from '../../errors.js';
import type { SkeletonSequence } from '../skeletonSequence.js';
import { PoseTrackBuffer } from './poseTrackBuffer.js';
import type { PoseFrameOptions, PoseInput } from './poseFormats.js';

/** Options of {@link posesToSequence}. */
export interface PosesToSequenceOptions extends PoseFrameOptions {
  /** Class index recorded on the sequence; default none. */
  label?: number;
  /** Identifier recorded on the sequence; default none. */
  id?: string;
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
