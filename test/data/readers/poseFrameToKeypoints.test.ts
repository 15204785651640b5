import { describe, expect, it } from 'vitest';
import { PersonSlotTracker } from '../../../src/data/readers/personSlotTracker.js';
import { poseFrameToKeypoints } from '../../../src/data/readers/poseFrameToKeypoints.js';
import { movenet } from './detectedPoses.js';

describe('poseFrameToKeypoints', () => {
  it('poseFrameToKeypoints maps one frame to [M][17][2] + [M][17]; a shared tracker carries slots over', () => {
    const first = poseFrameToKeypoints([movenet(100, 0, { score: 0.4 }), movenet(500, 0, { score: 0.6 })]);
    expect(first.keypoint).toHaveLength(2 * 17 * 2);
    expect(first.score).toHaveLength(2 * 17);
    expect([first.keypoint[0], first.keypoint[34]]).toEqual([500, 100]); // no tracker: by score
    const tracker = new PersonSlotTracker(2);
    poseFrameToKeypoints([movenet(100, 0, { score: 0.9 }), movenet(500, 0, { score: 0.4 })], { tracker });
    const next = poseFrameToKeypoints([movenet(495, 0, { score: 0.9 }), movenet(104, 0, { score: 0.4 })], { tracker });
    expect([next.keypoint[0], next.keypoint[34]]).toEqual([104, 495]);
    expect([next.keypoint[1], next.keypoint[3]]).toEqual([0, 2]);
    expect(next.score[16]).toBe(0.5);
    tracker.reset();
    const fresh = poseFrameToKeypoints([movenet(495, 0, { score: 0.9 }), movenet(104, 0, { score: 0.4 })], { tracker });
    expect([fresh.keypoint[0], fresh.keypoint[34]]).toEqual([495, 104]);
    const empty = poseFrameToKeypoints([], { persons: 3 });
    expect(empty.keypoint).toEqual(new Float32Array(3 * 34));
  });
});
