import { COCO17 } from './coco17.js';
import { NTU25 } from './ntu25.js';
import { resolveLayout, type LayoutName } from './registry.js';
import type { SkeletonLayout } from './skeletonLayout.js';

/** PYSKL `JointToBone` parents for COCO-17 (joint v's bone is `v - parent[v]`; nose is the root). */
const COCO_PARENTS: readonly number[] = Object.freeze([0, 0, 0, 1, 2, 0, 0, 5, 6, 7, 8, 0, 0, 11, 12, 13, 14]);

/** PYSKL `JointToBone` parents for NTU RGB+D 25 joints (spine_shoulder, joint 20, is the root). */
const NTU_PARENTS: readonly number[] = Object.freeze([1, 20, 20, 2, 20, 4, 5, 6, 20, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18, 20, 22, 7, 24, 11]);

/**
 * The parent of each joint, length V, for bone features (`bone[v] = joint[v] - joint[parent[v]]`;
 * a root is its own parent, so its bone is 0). `'coco'` and `'nturgb+d'` (any layout with exactly the
 * COCO-17 or NTU-25 joint names) use PYSKL's `JointToBone` pairs; COCO's is not the limb tree (hips
 * and shoulders hang from the nose). Any other layout gets a tree derived from its edges, taken as
 * undirected: breadth-first from `layout.center` (default 0), neighbours visited in edge-list order;
 * joints the edges do not connect to the centre are their own parents.
 *
 * @example
 * ```ts
 * import { boneParents, jointToBone, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence;  // COCO-17 joints [M][T][17][C]
 * const parents = boneParents('coco'); // length 17: [0, 0, 0, 1, 2, 0, 0, 5, ...]
 * const bones = jointToBone(seq, parents);
 * ```
 */
export function boneParents(layout: LayoutName | SkeletonLayout): number[] {
  const l = resolveLayout(layout);
  if (sameJoints(l, COCO17)) return [...COCO_PARENTS];
  if (sameJoints(l, NTU25)) return [...NTU_PARENTS];
  const v = l.joints.length;
  const neighbours: number[][] = Array.from({ length: v }, () => []);
  for (const [a, b] of l.edges) {
    neighbours[a].push(b);
    neighbours[b].push(a);
  }
  const root = l.center ?? 0;
  const parent = Array.from({ length: v }, (_, i) => i);
  const seen = new Uint8Array(v);
  seen[root] = 1;
  const queue = [root];
  for (let head = 0; head < queue.length; head++) {
    const j = queue[head];
    for (const k of neighbours[j]) {
      if (seen[k]) continue;
      seen[k] = 1;
      parent[k] = j;
      queue.push(k);
    }
  }
  return parent;
}

function sameJoints(a: SkeletonLayout, b: SkeletonLayout): boolean {
  return a.joints.length === b.joints.length && a.joints.every((name, i) => name === b.joints[i]);
}
