import { defineLayout } from './skeletonLayout.js';

/**
 * COCO-17 keypoints (HRNet, MoveNet, the PYSKL 2D NTU/Kinetics releases). Edges are the
 * reference's prior list (the 19 standard COCO limbs, directed as the official code builds them).
 *
 * @example
 * ```ts
 * import { COCO17, buildSke2Grid } from 'ske2grid';
 * COCO17.joints.length; // 17, COCO order: nose, left_eye, ..., right_ankle
 * const model = buildSke2Grid({ layout: COCO17, numClasses: 10 }); // same as layout: 'coco'
 * ```
 */
export const COCO17 = defineLayout({
  name: 'coco',
  joints: [
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
  ],
  edges: [
    [15, 13],
    [13, 11],
    [16, 14],
    [14, 12],
    [11, 12],
    [5, 11],
    [6, 12],
    [5, 6],
    [7, 5],
    [8, 6],
    [9, 7],
    [10, 8],
    [1, 2],
    [1, 0],
    [2, 0],
    [3, 1],
    [4, 2],
    [3, 5],
    [4, 6],
  ],
  center: 0,
});
