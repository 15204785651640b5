import { describe, it } from 'vitest';
import { PersonSlotTracker } from '../../../src/data/readers/personSlotTracker.js';
import { type DetectedKeypoint } from '../../../src/data/readers/poseFormats.js';
import { poseFrameToKeypoints } from '../../../src/data/readers/poseFrameToKeypoints.js';
import { PoseTrackBuffer } from '../../../src/data/readers/poseTrackBuffer.js';
import { posesToSequence } from '../../../src/data/readers/posesToSequence.js';
import { BLAZEPOSE_NAMES, movenet, throwsSke2Grid } from './detectedPoses.js';

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
