import { describe, expect, it } from 'vitest';
import { boneParents } from '../../src/layouts/bones.js';
import { COCO17 } from '../../src/layouts/coco17.js';
import { KINECT20 } from '../../src/layouts/kinect20.js';
import { NTU25 } from '../../src/layouts/ntu25.js';

/** Follows parents from every joint; returns the root each reaches, failing on a cycle. */
function roots(parents: number[]): number[] {
  return parents.map((_, v) => {
    let j = v;
    for (let steps = 0; parents[j] !== j; steps++) {
      if (steps > parents.length) throw new Error(`cycle from joint ${v}`);
      j = parents[j];
    }
    return j;
  });
}

describe('boneParents', () => {
  it('COCO-17: the PYSKL JointToBone pairs (hips and shoulders hang from the nose), any alias', () => {
    const want = [0, 0, 0, 1, 2, 0, 0, 5, 6, 7, 8, 0, 0, 11, 12, 13, 14];
    expect(boneParents('coco')).toEqual(want);
    expect(boneParents('coco17')).toEqual(want);
    expect(boneParents(COCO17)).toEqual(want);
  });
  it('NTU-25: the PYSKL pairs, rooted at spine_shoulder (20)', () => {
    const want = [1, 20, 20, 2, 20, 4, 5, 6, 20, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18, 20, 22, 7, 24, 11];
    expect(boneParents('nturgb+d')).toEqual(want);
    expect(boneParents('ntu25')).toEqual(want);
    expect(boneParents(NTU25)).toEqual(want);
    expect(new Set(roots(want))).toEqual(new Set([20]));
  });
  it('Kinect-20: a tree from the edges rooted at the layout centre (spine, 1)', () => {
    const p = boneParents('kinect20');
    expect(p).toEqual([1, 1, 1, 2, 2, 4, 5, 6, 2, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18]);
    expect(new Set(roots(p))).toEqual(new Set([KINECT20.center]));
  });
  it('custom layouts: edges taken undirected, breadth-first from the centre; unconnected joints are their own parents', () => {
    const chain = {
      name: 'chain',
      joints: ['a', 'b', 'c', 'd', 'e'],
      edges: [
        [0, 1],
        [2, 1],
        [3, 2],
      ] as [number, number][],
      center: 2,
    };
    expect(boneParents(chain)).toEqual([1, 2, 2, 2, 4]);
    // A cycle: the first discovered path wins (edge-list order).
    const ring = {
      name: 'ring',
      joints: ['a', 'b', 'c', 'd'],
      edges: [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 0],
      ] as [number, number][],
    };
    expect(boneParents(ring)).toEqual([0, 0, 1, 0]);
  });
  it('names bad layouts', () => {
    expect(() => boneParents('ntu60' as 'coco')).toThrow(/layout: expected one of 'coco'/);
    expect(() => boneParents({ name: 'x', joints: ['a'], edges: [[0, 1]] })).toThrow(/layout.edges\[0\]: expected a pair of joint indices in \[0, 0\]/);
  });
});
