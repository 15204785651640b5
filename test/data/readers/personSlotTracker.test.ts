import { describe, expect, it } from 'vitest';
import { posesToSequence } from '../../../src/data/readers/posesToSequence.js';
import { movenet, at, slotX } from './detectedPoses.js';

describe('PersonSlotTracker: person slots (through posesToSequence)', () => {
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
});
