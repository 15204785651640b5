import { defineLayout } from './skeletonLayout.js';

/**
 * NTU RGB+D 25-joint Kinect v2 skeleton. Edges are the reference prior list (the original
 * ST-GCN NTU links, 0-based, one direction).
 *
 * @example
 * ```ts
 * import { NTU25, boneParents } from 'ske2grid';
 * NTU25.joints[20];     // 'spine_shoulder'
 * boneParents(NTU25)[3]; // 2: head hangs from neck
 * ```
 */
export const NTU25 = defineLayout({
  name: 'ntu25',
  joints: [
    'spine_base',
    'spine_mid',
    'neck',
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
    'spine_shoulder',
    'hand_tip_left',
    'thumb_left',
    'hand_tip_right',
    'thumb_right',
  ],
  edges: [
    [0, 1],
    [1, 20],
    [2, 20],
    [3, 2],
    [4, 20],
    [5, 4],
    [6, 5],
    [7, 6],
    [8, 20],
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
    [21, 22],
    [22, 7],
    [23, 24],
    [24, 11],
  ],
  center: 20,
});
