import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random/random.js';
import { randomRotation } from '../../../src/data/transforms/augment.js';
import { normalize3D } from '../../../src/data/transforms/normalize3d.js';
import type { SkeletonSequence } from '../../../src/data/skeletonSequence.js';
import { makeSequence, nested, nestedScore, patternSequence } from './makeSequence.js';

const small = { centerJoint: 0, zAxis: [0, 1] as [number, number], xAxis: [2, 0] as [number, number] };
const closeTo = (a: number[][], b: number[][]) => a.forEach((p, i) => p.forEach((x, c) => expect(x).toBeCloseTo(b[i][c], 6)));

/** Joint v of person m, frame t. */
function point(s: SkeletonSequence, m: number, t: number, v: number): number[] {
  const i = ((m * s.frames + t) * s.joints + v) * 3;
  return Array.from(s.keypoint.subarray(i, i + 3));
}
const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe('normalize3D', () => {
  it('centres on the centre joint and rotates the spine onto +z, then the shoulder vector onto +x (hand-computed)', () => {
    // Frame 0: spine j0 -> j1 along +y, j0 -> j2 along -z. The z step turns 90 degrees about +x,
    // (x, y, z) -> (x, -z, y); the x step 90 degrees about -z, (x, y, z) -> (y, -x, z): in all (-z, -x, y).
    const seq = makeSequence([
      [
        [
          [1, 2, 3],
          [1, 3, 3],
          [1, 2, 1],
        ],
        [
          [2, 2, 3],
          [0, 0, 0],
          [1, 3, 4],
        ],
      ],
    ]);
    const out = normalize3D(seq, small);
    const [f0, f1] = nested(out)[0];
    closeTo(f0, [
      [0, 0, 0],
      [0, 0, 1],
      [2, 0, 0],
    ]);
    closeTo(f1, [
      [0, -1, 0],
      [0, 0, 0],
      [-1, 0, 1],
    ]);
    expect(f1[1]).toEqual([0, 0, 0]);
  });

  it('is the identity on an already aligned sequence (translation only)', () => {
    const seq = makeSequence([
      [
        [
          [1, 1, 1],
          [1, 1, 3],
          [3, 1, 1],
        ],
        [
          [2, 2, 2],
          [2, 2, 4],
          [4, 2, 2],
        ],
      ],
    ]);
    expect(nested(normalize3D(seq, small))).toEqual([
      [
        [
          [0, 0, 0],
          [0, 0, 2],
          [2, 0, 0],
        ],
        [
          [1, 1, 1],
          [1, 1, 3],
          [3, 1, 1],
        ],
      ],
    ]);
  });

  it('NTU-25 defaults: joint 1 of frame 0 at the origin, shoulders 4 -> 8 on +x, lengths kept', () => {
    const seq = patternSequence(2, 4, 25, 3);
    const out = normalize3D(seq);
    expect(out.frames).toBe(4);
    expect(point(out, 0, 0, 1)).toEqual([0, 0, 0]);
    const shoulder = point(out, 0, 0, 8).map((x, c) => x - point(out, 0, 0, 4)[c]);
    expect(shoulder[0]).toBeGreaterThan(0);
    expect(shoulder[1]).toBeCloseTo(0, 5);
    expect(shoulder[2]).toBeCloseTo(0, 5);
    for (const [m, t] of [
      [0, 0],
      [1, 3],
      [0, 2],
    ]) {
      for (const [a, b] of [
        [0, 5],
        [3, 24],
        [10, 17],
      ]) {
        const before = dist(point(seq, m, t, a), point(seq, m, t, b));
        expect(dist(point(out, m, t, a), point(out, m, t, b))).toBeCloseTo(before, 5);
      }
    }
  });

  it('undoes a rotation and translation of an aligned NTU-25 pose (spine back on +z, shoulders on +x)', () => {
    const canonical = patternSequence(1, 3, 25, 3);
    const put = (t: number, v: number, p: number[]) => canonical.keypoint.set(p, (t * 25 + v) * 3);
    // Frame 0: spine 0 -> 1 along +z, shoulders 4 -> 8 along +x (so after the z step the x step is about z).
    put(0, 0, [0.1, 0.2, -0.3]);
    put(0, 1, [0.1, 0.2, 0.5]);
    put(0, 4, [-0.4, 0.7, 0.9]);
    put(0, 8, [0.6, 0.7, 0.9]);
    const moved = randomRotation(canonical, createRandom(3), { maxDegrees: 120 });
    for (let i = 0; i < moved.keypoint.length; i += 3) {
      moved.keypoint[i] += 5;
      moved.keypoint[i + 2] -= 2;
    }
    const out = normalize3D(moved);
    const origin = point(canonical, 0, 0, 1);
    for (let t = 0; t < 3; t++) {
      for (let v = 0; v < 25; v++) {
        const want = point(canonical, 0, t, v).map((x, c) => x - origin[c]);
        point(out, 0, t, v).forEach((x, c) => expect(x).toBeCloseTo(want[c], 5));
      }
    }
  });

  it('V != 25 defaults to the last joint as centre (the reference); Kinect-20 can pass centerJoint 1', () => {
    const seq = patternSequence(1, 2, 20, 3);
    expect(point(normalize3D(seq, { alignSpine: false }), 0, 0, 19)).toEqual([0, 0, 0]);
    expect(point(normalize3D(seq, { alignSpine: false, centerJoint: 1 }), 0, 0, 1)).toEqual([0, 0, 0]);
  });

  it('drops frames without the main person; the person with more present frames moves to slot 0; scores follow', () => {
    const z = [0, 0, 0];
    const p0 = [
      [z, z],
      [z, z],
      [[1, 2, 3], z],
    ];
    const p1 = [
      [[4, 5, 6], z],
      [
        [7, 8, 9],
        [1, 1, 1],
      ],
      [z, z],
    ];
    const seq = makeSequence(
      [p0, p1],
      [
        [
          [0.1, 0.2],
          [0.3, 0.4],
          [0.5, 0.6],
        ],
        [
          [0.7, 0.8],
          [0.9, 1],
          [0.2, 0.1],
        ],
      ],
    );
    const out = normalize3D(seq, { alignCenter: false, alignSpine: false, zAxis: [0, 1], xAxis: [1, 0] });
    expect(out.frames).toBe(2);
    expect(nested(out)).toEqual([
      [
        [[4, 5, 6], z],
        [
          [7, 8, 9],
          [1, 1, 1],
        ],
      ],
      [
        [z, z],
        [z, z],
      ],
    ]);
    expect(nestedScore(out).map((p) => p.map((f) => f.map((x) => Math.round(x * 10))))).toEqual([
      [
        [7, 8],
        [9, 10],
      ],
      [
        [1, 2],
        [3, 4],
      ],
    ]);
    // Equal counts keep person 0 first (and its frames).
    const tie = makeSequence([
      [[[1, 1, 1]], [[0, 0, 0]]],
      [[[0, 0, 0]], [[2, 2, 2]]],
    ]);
    expect(nested(normalize3D(tie, { alignCenter: false, alignSpine: false }))).toEqual([[[[1, 1, 1]]], [[[0, 0, 0]]]]);
  });

  it('keeps missing joints at zero and returns an all-zero sequence unchanged', () => {
    const seq = makeSequence([
      [
        [
          [1, 2, 3],
          [0, 0, 0],
          [3, 1, 1],
        ],
      ],
    ]);
    expect(nested(normalize3D(seq, small))[0][0][1]).toEqual([0, 0, 0]);
    const zeros = makeSequence([
      [
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
      ],
      [
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
      ],
    ]);
    const out = normalize3D(zeros, small);
    expect(out.keypoint).toEqual(zeros.keypoint);
    expect(out.keypoint).not.toBe(zeros.keypoint);
    expect(out.frames).toBe(1);
  });

  it('names bad arguments', () => {
    const seq = patternSequence(1, 2, 5, 3);
    expect(() => normalize3D(patternSequence(1, 2, 5, 2))).toThrow(/sequence.dims: expected 3 \(x, y, z\) for normalize3D, got 2/);
    expect(() => normalize3D(seq)).toThrow(/options.xAxis\[0\]: expected a joint index in \[0, 4\], got 8/);
    expect(() => normalize3D(seq, { ...small, centerJoint: 5 })).toThrow(/options.centerJoint: expected a joint index in \[0, 4\], got 5/);
    expect(() => normalize3D(seq, { ...small, zAxis: [1, 1] })).toThrow(/options.zAxis: expected two different joints, got \[1, 1\]$/);
    expect(() => normalize3D(seq, { ...small, zAxis: [1] as unknown as [number, number] })).toThrow(/options.zAxis: expected a pair of joint indices/);
  });
});
