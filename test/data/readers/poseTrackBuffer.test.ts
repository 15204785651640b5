import { describe, expect, it } from 'vitest';
import { PoseTrackBuffer } from '../../../src/data/readers/poseTrackBuffer.js';
import { movenet, slotX, throwsSke2Grid } from './detectedPoses.js';

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
