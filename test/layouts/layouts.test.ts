import { describe, expect, it } from 'vitest';
import { COCO17 } from '../../src/layouts/coco17.js';
import { KINECT20 } from '../../src/layouts/kinect20.js';
import { NTU25 } from '../../src/layouts/ntu25.js';
import { resolveLayout } from '../../src/layouts/registry.js';
import { adjacencyPrior, defineLayout } from '../../src/layouts/skeletonLayout.js';

const rowSums = (g: number[][]) => g.map((r) => r.reduce((a, b) => a + b, 0));
const colSums = (g: number[][]) => g[0].map((_, j) => g.reduce((a, r) => a + r[j], 0));
const nonZeros = (g: number[][]) => g.flat().filter((v) => v !== 0).length;

describe('COCO-17 reference prior', () => {
  const g = adjacencyPrior(COCO17, 'reference');
  it('has 36 ones, one direction, unnormalised (reference table)', () => {
    expect(nonZeros(g)).toBe(36);
    expect(rowSums(g)).toEqual([1, 3, 2, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2]);
    expect(colSums(g)).toEqual([3, 2, 3, 1, 1, 3, 4, 2, 2, 1, 1, 3, 4, 2, 2, 1, 1]);
  });
  it('row 1 (left eye) aggregates nose, both eyes; row 5 (left shoulder) 5, 6, 11', () => {
    expect([0, 1, 2].every((j) => g[1][j] === 1)).toBe(true);
    expect(g[5].flatMap((v, j) => (v ? [j] : []))).toEqual([5, 6, 11]);
  });
  it('symmetric mode adds the reverse edges; none is the identity', () => {
    const s = adjacencyPrior(COCO17, 'symmetric');
    expect(nonZeros(s)).toBe(17 + 2 * 19);
    s.forEach((row, i) => row.forEach((v, j) => expect(v).toBe(s[j][i])));
    expect(nonZeros(adjacencyPrior(COCO17, 'none'))).toBe(17);
  });
});

describe('built-in layouts', () => {
  it('NTU-25 has 24 prior edges and 25 joints, accepted as nturgb+d', () => {
    expect(NTU25.joints.length).toBe(25);
    expect(NTU25.edges.length).toBe(24);
    expect(resolveLayout('nturgb+d')).toBe(NTU25);
    expect(nonZeros(adjacencyPrior(NTU25))).toBe(25 + 24);
  });
  it('Kinect-20 is a tree (19 edges) and coco resolves to COCO-17', () => {
    expect(KINECT20.joints.length).toBe(20);
    expect(KINECT20.edges.length).toBe(19);
    expect(resolveLayout('coco')).toBe(COCO17);
  });
});

describe('custom layouts', () => {
  it('accepts joints + edges', () => {
    const l = resolveLayout({
      name: 'hand3',
      joints: ['a', 'b', 'c'],
      edges: [
        [0, 1],
        [1, 2],
      ],
    });
    expect(adjacencyPrior(l)).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
  });
  it('names the bad field', () => {
    expect(() => resolveLayout('openpose' as never)).toThrow(/layout: expected one of 'coco'/);
    expect(() => defineLayout({ name: 'x', joints: ['a', 'a'], edges: [] })).toThrow(/appears twice/);
    expect(() => defineLayout({ name: 'x', joints: ['a', 'b'], edges: [[0, 2]] })).toThrow(/layout.edges\[0\]: expected a pair of joint indices in \[0, 1\]/);
    expect(() => defineLayout({ name: '', joints: ['a'], edges: [] })).toThrow(/layout.name/);
  });
});
