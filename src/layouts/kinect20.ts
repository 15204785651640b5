import { defineLayout } from './skeletonLayout.js';

/**
 * Kinect v1 20-joint skeleton (NW-UCLA, UTKinect). Edges: the Kinect SDK v1 bone tree, built
 * into the prior the way the reference does (self-links + one direction).
 *
 * @example
 * ```ts
 * import { KINECT20, buildSke2Grid } from 'ske2grid';
 * // NW-UCLA: 20 joints with (x, y, z), one person
 * const model = buildSke2Grid({ layout: KINECT20, inChannels: 3, persons: 1, numClasses: 10 });
 * ```
 */
export const KINECT20 = defineLayout({
  name: 'kinect20',
  joints: [
    'hip_center',
    'spine',
    'shoulder_center',
    'head',
    'shoulder_left',
    'elbow_left',
    'wrist_left',
    'hand_left',
    'shoulder_right',
    'elbow_right',
    'wrist_right',
    'hand_right',
    'hip_left',
    'knee_left',
    'ankle_left',
    'foot_left',
    'hip_right',
    'knee_right',
    'ankle_right',
    'foot_right',
  ],
  edges: [
    [0, 1],
    [1, 2],
    [3, 2],
    [4, 2],
    [5, 4],
    [6, 5],
    [7, 6],
    [8, 2],
    [9, 8],
    [10, 9],
    [11, 10],
    [12, 0],
    [13, 12],
    [14, 13],
    [15, 14],
    [16, 0],
    [17, 16],
    [18, 17],
    [19, 18],
  ],
  center: 1,
});
