import { describe, expect, it } from 'vitest';
import {
  PersonSlotTracker,
  PoseTrackBuffer,
  detectPoseFormat,
  poseFrameToKeypoints,
  posesToSequence,
  toCocoPose,
  type DetectedKeypoint,
  type DetectedPose,
} from '../../../src/data/readers/poseDetector.js';
import { checkSequence, type SkeletonSequence } from '../../../src/data/skeletonSequence.js';
import { Ske2GridError } from '../../../src/errors.js';

const COCO_NAMES = [
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
];
const BLAZEPOSE_NAMES = [
  'nose',
  'left_eye_inner',
  'left_eye',
  'left_eye_outer',
  'right_eye_inner',
  'right_eye',
  'right_eye_outer',
  'left_ear',
  'right_ear',
  'mouth_left',
  'mouth_right',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_pinky',
  'right_pinky',
  'left_index',
  'right_index',
  'left_thumb',
  'right_thumb',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
  'left_heel',
  'right_heel',
  'left_foot_index',
  'right_foot_index',
];

/** A MoveNet pose: joint j at (x0 + j, y0 + 2j), score 0.5 (centre (x0 + 8, y0 + 16)). */
function movenet(x0: number, y0: number, extra: { score?: number; id?: number } = {}): DetectedPose {
  return { keypoints: COCO_NAMES.map((name, j) => ({ x: x0 + j, y: y0 + 2 * j, score: 0.5, name })), ...extra };
}

/** [x, y, score] of person m, frame t, joint v. */
function at(s: SkeletonSequence, m: number, t: number, v: number): number[] {
  const i = (m * s.frames + t) * s.joints + v;
  return [s.keypoint[2 * i], s.keypoint[2 * i + 1], s.score![i]];
}
/** The x of joint 0 of each slot at frame t (0 for an empty slot). */
const slotX = (s: SkeletonSequence, t: number) => Array.from({ length: s.persons }, (_, m) => at(s, m, t, 0)[0]);

function throwsSke2Grid(f: () => unknown, message: string | RegExp): void {
  expect(f).toThrow(Ske2GridError);
  expect(f).toThrow(message);
}

describe('posesToSequence: formats', () => {
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

describe('posesToSequence: person slots', () => {
  it('keeps persons in their slots by track id, and a new id takes a free slot', () => {
    const s = posesToSequence([
      [movenet(100, 0, { id: 7, score: 0.9 }), movenet(500, 0, { id: 3, score: 0.8 })],
      [movenet(510, 0, { id: 7, score: 0.5 }), movenet(90, 0, { id: 3, score: 0.95 })], // crossed over, other order
      [movenet(300, 0, { id: 3, score: 0.9 }), movenet(700, 0, { id: 9, score: 0.99 })], // 7 left, 9 arrived
    ]);
    expect(slotX(s, 0)).toEqual([100, 500]);
    expect(slotX(s, 1)).toEqual([510, 90]);
    expect(slotX(s, 2)).toEqual([700, 300]);
  });

  it('without ids, matches each person to the nearest last centre (greedy) and fills free slots', () => {
    const s = posesToSequence([
      [movenet(100, 100, { score: 0.9 }), movenet(500, 100, { score: 0.8 })],
      [movenet(505, 100, { score: 0.95 }), movenet(102, 100, { score: 0.7 })],
      [movenet(510, 100, { score: 0.9 })], // only the right person: stays in slot 1
      [movenet(120, 90, { score: 0.6 }), movenet(515, 100, { score: 0.9 })],
      [],
      [movenet(520, 90, { score: 0.6 })],
    ]);
    expect(slotX(s, 0)).toEqual([100, 500]);
    expect(slotX(s, 1)).toEqual([102, 505]);
    expect(slotX(s, 2)).toEqual([0, 510]);
    expect(at(s, 0, 2, 3)).toEqual([0, 0, 0]);
    expect(slotX(s, 3)).toEqual([120, 515]);
    expect(slotX(s, 4)).toEqual([0, 0]);
    expect(slotX(s, 5)).toEqual([0, 520]); // matched to slot 1's last centre across the empty frame, not the first free slot
  });

  it('drops persons beyond M, lowest score first (pose score, else mean keypoint score)', () => {
    const s = posesToSequence([[movenet(1, 0, { score: 0.3 }), movenet(2, 0, { score: 0.9 }), movenet(3, 0, { score: 0.5 })]], { persons: 2 });
    expect(slotX(s, 0)).toEqual([2, 3]);
    const low = movenet(4, 0);
    low.keypoints.forEach((k) => (k!.score = 0.1));
    const one = posesToSequence([[low, movenet(5, 0)]], { persons: 1 }); // mean scores 0.1 and 0.5
    expect(slotX(one, 0)).toEqual([5]);
  });

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

describe('PoseTrackBuffer', () => {
  it('keeps the most recent `capacity` frames (a ring), oldest first, with tracking', () => {
    const buffer = new PoseTrackBuffer({ capacity: 2, persons: 1 });
    expect(buffer.length).toBe(0);
    for (const x of [10, 20, 30, 40, 50]) buffer.push([movenet(x, 0)]);
    expect(buffer.length).toBe(2);
    const s = buffer.toSequence({ label: 1, id: 'live' });
    expect(s).toMatchObject({ frames: 2, persons: 1, label: 1, id: 'live' });
    expect([slotX(s, 0), slotX(s, 1)]).toEqual([[40], [50]]);
    buffer.push([movenet(60, 0)]);
    const s2 = buffer.toSequence();
    expect([slotX(s2, 0), slotX(s2, 1)]).toEqual([[50], [60]]);
    buffer.clear();
    expect(buffer.length).toBe(0);
    throwsSke2Grid(() => buffer.toSequence(), 'PoseTrackBuffer.toSequence: expected at least 1 pushed frame, got 0');
    const unbounded = new PoseTrackBuffer();
    for (let i = 0; i < 5; i++) unbounded.push([]);
    expect(unbounded.toSequence().frames).toBe(5);
  });
});

describe('pose-detector input errors', () => {
  it('names the frame, pose and keypoint of bad input', () => {
    throwsSke2Grid(() => posesToSequence([]), 'frames: expected a non-empty array of frames (arrays of poses), got []');
    throwsSke2Grid(() => posesToSequence([[movenet(0, 0)], {} as never]), 'frames[1]: expected an array of poses (possibly empty), got {}');
    throwsSke2Grid(() => posesToSequence([[{ points: [] } as never]]), 'frames[0][0]: expected a pose {keypoints: [...]} or an array of landmarks');
    const nan = movenet(0, 0);
    (nan.keypoints[3] as DetectedKeypoint).x = NaN;
    throwsSke2Grid(() => posesToSequence([[movenet(0, 0)], [movenet(0, 0), nan]]), 'frames[1][1].keypoints[3].x: expected a finite number, got NaN');
    const badScore = movenet(0, 0);
    (badScore.keypoints[2] as DetectedKeypoint).score = 'high' as never;
    throwsSke2Grid(() => posesToSequence([[badScore]]), 'frames[0][0].keypoints[2].score: expected a finite number or undefined, got "high"');
    throwsSke2Grid(() => posesToSequence([[{ ...movenet(0, 0), id: 'a' as never }]]), 'frames[0][0].id: expected a finite number or undefined, got "a"');
    throwsSke2Grid(() => posesToSequence([[{ keypoints: movenet(0, 0).keypoints.slice(0, 15) }]]), 'frames[0][0].keypoints: expected 17 (MoveNet) or 33');
    const blaze = { keypoints: BLAZEPOSE_NAMES.map((name) => ({ x: 0, y: 0, score: 1, name })) };
    throwsSke2Grid(
      () => posesToSequence([[blaze]], { format: 'movenet' }),
      'frames[0][0].keypoints: expected 17 keypoints for format \'movenet\', got "33 keypoints"',
    );
    throwsSke2Grid(
      () => posesToSequence([[[{ x: 0, y: 0 }]]], { imageShape: [1, 1] }),
      'frames[0][0]: expected 33 keypoints for format \'mediapipe\', got "1 keypoints"',
    );
  });

  it('rejects bad options', () => {
    const frames = [[movenet(0, 0)]];
    throwsSke2Grid(
      () => posesToSequence(frames, { format: 'openpose' as never }),
      "options.format: expected one of 'movenet', 'blazepose', 'mediapipe' or undefined, got \"openpose\"",
    );
    throwsSke2Grid(() => posesToSequence(frames, { persons: 0 }), 'options.persons: expected an integer >= 1, got 0');
    throwsSke2Grid(
      () => posesToSequence(frames, { imageShape: [480, -1] }),
      'options.imageShape: expected [height, width] with positive finite numbers, got [480, -1]',
    );
    throwsSke2Grid(() => posesToSequence(frames, { label: 1.5 }), 'label: expected an integer >= 0, got 1.5');
    throwsSke2Grid(() => new PoseTrackBuffer({ capacity: 0 }), 'options.capacity: expected an integer >= 1, got 0');
    throwsSke2Grid(() => new PersonSlotTracker(0), 'persons: expected an integer >= 1, got 0');
    throwsSke2Grid(
      () => poseFrameToKeypoints([], { tracker: new PersonSlotTracker(2), persons: 3 }),
      "options.persons: expected 2 (the tracker's slot count), got 3",
    );
    throwsSke2Grid(() => poseFrameToKeypoints([], { tracker: {} as never }), 'options.tracker: expected a PersonSlotTracker or undefined, got {}');
  });
});
