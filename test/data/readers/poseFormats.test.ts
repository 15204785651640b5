import { describe, expect, it } from 'vitest';
import { detectPoseFormat, toCocoPose, type DetectedKeypoint } from '../../../src/data/readers/poseFormats.js';
import { posesToSequence } from '../../../src/data/readers/posesToSequence.js';
import { checkSequence } from '../../../src/data/skeletonSequence.js';
import { COCO_NAMES, BLAZEPOSE_NAMES, movenet, at, throwsSke2Grid } from './detectedPoses.js';

describe('pose formats: detectPoseFormat and toCocoPose (through posesToSequence)', () => {
  it('MoveNet: 17 keypoints in order, C = 2 pixels + score, empty second slot, imageShape / label / id', () => {
    const s = posesToSequence([[movenet(100, 50)], [movenet(110, 60)]], { imageShape: [480, 640], label: 3, id: 'clip' });
    expect(s).toMatchObject({ persons: 2, frames: 2, joints: 17, dims: 2, label: 3, id: 'clip', imageShape: [480, 640] });
    expect(s.keypoint).toHaveLength(2 * 2 * 17 * 2);
    expect(at(s, 0, 0, 0)).toEqual([100, 50, 0.5]);
    expect(at(s, 0, 0, 16)).toEqual([116, 82, 0.5]);
    expect(at(s, 0, 1, 5)).toEqual([115, 70, 0.5]);
    for (let t = 0; t < 2; t++) for (let v = 0; v < 17; v++) expect(at(s, 1, t, v)).toEqual([0, 0, 0]);
    checkSequence(s);
    expect(posesToSequence([[movenet(0, 0)]]).imageShape).toBeUndefined();
  });

  it('BlazePose: the 17 COCO joints are taken at BlazePose indices 0,2,5,7,8,11..16,23..28', () => {
    const keypoints = BLAZEPOSE_NAMES.map((name, k) => ({ x: 10 * k, y: 10 * k + 1, score: 0.25, name }));
    const s = posesToSequence([[{ keypoints, score: 0.9 }]], { persons: 1 });
    const xs = Array.from({ length: 17 }, (_, j) => at(s, 0, 0, j)[0]);
    expect(xs).toEqual([0, 20, 50, 70, 80, 110, 120, 130, 140, 150, 160, 230, 240, 250, 260, 270, 280]);
    expect(at(s, 0, 0, 3)).toEqual([70, 71, 0.25]);
    // the mapped BlazePose names are exactly the COCO names
    const picked = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28].map((k) => BLAZEPOSE_NAMES[k]);
    expect(picked).toEqual(COCO_NAMES);
    // without names, 33 keypoints are BlazePose too
    const unnamed = posesToSequence([[{ keypoints: keypoints.map(({ x, y, score }) => ({ x, y, score })) }]], { persons: 1 });
    expect(Array.from(unnamed.keypoint)).toEqual(Array.from(s.keypoint));
  });

  it('MediaPipe: normalised landmarks (bare list or {keypoints} with visibility) scaled by imageShape [h, w]', () => {
    const landmarks = Array.from({ length: 33 }, (_, k) => ({ x: k / 100, y: k / 200, z: -0.1, visibility: 0.75 }));
    const s = posesToSequence([[landmarks]], { imageShape: [480, 640], persons: 1 });
    expect(at(s, 0, 0, 0)).toEqual([0, 0, 0.75]);
    expect(at(s, 0, 0, 1)).toEqual([Math.fround(0.02 * 640), Math.fround(0.01 * 480), 0.75]);
    expect(at(s, 0, 0, 16)).toEqual([Math.fround(0.28 * 640), Math.fround(0.14 * 480), 0.75]);
    expect(s.imageShape).toEqual([480, 640]);
    const wrapped = posesToSequence([[{ keypoints: landmarks }]], { imageShape: [480, 640], persons: 1 });
    expect(Array.from(wrapped.keypoint)).toEqual(Array.from(s.keypoint));
    throwsSke2Grid(() => posesToSequence([[landmarks]]), "options.imageShape: expected [height, width] in pixels for format 'mediapipe'");
  });

  it('detectPoseFormat tells the formats apart; an explicit format overrides it', () => {
    expect(detectPoseFormat(movenet(0, 0))).toBe('movenet');
    expect(detectPoseFormat({ keypoints: BLAZEPOSE_NAMES.map((name) => ({ x: 0, y: 0, name })) })).toBe('blazepose');
    expect(detectPoseFormat([{ x: 0, y: 0 }])).toBe('mediapipe');
    const pixelsWithVisibility = Array.from({ length: 33 }, (_, k) => ({ x: k, y: k, visibility: 1 }));
    expect(detectPoseFormat({ keypoints: pixelsWithVisibility })).toBe('mediapipe');
    const asBlazePose = toCocoPose({ keypoints: pixelsWithVisibility }, { format: 'blazepose' });
    expect(Array.from(asBlazePose.xy.subarray(0, 4))).toEqual([0, 0, 2, 2]);
    throwsSke2Grid(
      () => detectPoseFormat({ keypoints: [] }),
      'pose.keypoints: expected 17 (MoveNet) or 33 (BlazePose / MediaPipe) keypoints, got "0 keypoints"',
    );
  });

  it('a missing keypoint (null) is zeros with score 0; a keypoint without score gets 1; pose score defaults to the mean', () => {
    const pose = movenet(10, 10);
    const keypoints: (DetectedKeypoint | null)[] = [...pose.keypoints] as DetectedKeypoint[];
    keypoints[4] = null;
    keypoints[6] = { x: 3, y: 4 };
    const s = posesToSequence([[{ keypoints }]], { persons: 1 });
    expect(at(s, 0, 0, 4)).toEqual([0, 0, 0]);
    expect(at(s, 0, 0, 6)).toEqual([3, 4, 1]);
    expect(toCocoPose({ keypoints }).poseScore).toBeCloseTo((15 * 0.5 + 1) / 17, 6);
  });
});
