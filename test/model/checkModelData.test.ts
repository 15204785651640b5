import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipBatchDataset } from '../../src/data/clipBatches.js';
import type { SkeletonSequence } from '../../src/data/skeletonSequence.js';
import { formatClips } from '../../src/data/transforms/formatClips.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { checkModelData, describeClipShape } from '../../src/model/checkModelData.js';
import { evaluateSequences } from '../../src/training/evaluateSequences.js';
import { fitSke2Grid, fitSke2GridDataset } from '../../src/training/fitSke2Grid.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

describe('checkModelData: one error per mismatch, naming both sides and the fix', () => {
  // TINY: COCO-17, 2 persons, 8 frames, 3 channels
  let model: ReturnType<typeof buildSke2Grid>;
  beforeAll(() => {
    model = buildSke2Grid({ ...TINY, seed: 1 });
  });
  const ok = { persons: 2, frames: 8, joints: 17, channels: 3 };

  it('passes matching data', () => {
    expect(() => checkModelData(model, ok)).not.toThrow();
  });
  it('joints versus layout', () => {
    expect(() => checkModelData(model, { ...ok, joints: 13, layoutName: 'penn' })).toThrow(
      "the data has 13 joints per person (layout 'penn'); the model expects 17 (layout 'coco'): build it with the data's layout (e.g. layout: layoutFromManifest(manifest))",
    );
  });
  it('persons', () => {
    expect(() => checkModelData(model, { ...ok, persons: 1 })).toThrow(
      'the data has 1 person slot; the model expects 2: build it with persons: 1 (or format the clips with persons: 2)',
    );
  });
  it('channels, with names when known (a missing score channel)', () => {
    expect(() => checkModelData(model, { ...ok, channels: 2, channelNames: ['x', 'y'] })).toThrow(
      'the data has 2 channels (x, y); the model expects 3 (x, y, score): build it with inChannels: 2',
    );
    expect(() => checkModelData(model, { ...ok, channels: 4, source: 'dataset d' })).toThrow(
      'dataset d has 4 channels; the model expects 3: build it with inChannels: 4',
    );
  });
  it('frames', () => {
    expect(() => checkModelData(model, { ...ok, frames: 16 })).toThrow(
      'the data has clips of 16 frames; the model expects 8: build it with frames: 16 (or frames: null for any length), or sample clips of 8 frames (clipLen: 8)',
    );
    expect(() => checkModelData(buildSke2Grid({ ...TINY, frames: null }), { ...ok, frames: 16 })).not.toThrow();
  });
  it('describeClipShape reads [B, M, T, V, C]', () => {
    expect(describeClipShape([4, 2, 8, 17, 3], 'x')).toEqual({ persons: 2, frames: 8, joints: 17, channels: 3, source: 'x' });
    expect(() => describeClipShape([4, 8, 17, 3], 'x')).toThrow('x: expected clips of shape [batch, persons, frames, joints, channels], got [4, 8, 17, 3]');
  });
});

describe('training and evaluation check the data first (no raw tfjs error)', () => {
  it('fitSke2Grid refuses 2-channel clips for a 3-channel model', async () => {
    const model = buildSke2Grid({ ...TINY, seed: 2 });
    const before = tf.memory().numTensors;
    const x = tf.zeros([4, 2, 8, 17, 2]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3));
    await expect(fitSke2Grid(model, x, y, { epochs: 1 })).rejects.toThrow('x has 2 channels; the model expects 3: build it with inChannels: 2');
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  const seqs: SkeletonSequence[] = Array.from({ length: 4 }, (_, i) => ({
    keypoint: new Float32Array(1 * 8 * 17 * 2).fill(0.1 * i),
    persons: 1,
    frames: 8,
    joints: 17,
    dims: 2,
    label: i % 3,
  }));

  it('fitSke2GridDataset refuses one-person clips for a two-person model before training on them', async () => {
    const model = buildSke2Grid({ ...TINY, inChannels: 2, seed: 3 });
    const before = tf.memory().numTensors;
    const batches = clipBatchDataset(seqs, { numClasses: 3, batchSize: 2, clips: (s) => formatClips(s, { persons: 1 }) });
    await expect(fitSke2GridDataset(model, batches, { epochs: 1 })).rejects.toThrow(
      'the first batch has 1 person slot; the model expects 2: build it with persons: 1 (or format the clips with persons: 2)',
    );
    model.optimizer?.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    model.dispose();
  });

  it('evaluateSequences refuses clips of another length', async () => {
    const model = buildSke2Grid({ ...TINY, persons: 1, inChannels: 2, frames: 4, seed: 4 });
    await expect(evaluateSequences(model, seqs, { clips: (s) => formatClips(s, { persons: 1 }) })).rejects.toThrow(
      'sample 0 has clips of 8 frames; the model expects 4',
    );
    model.dispose();
  });
});
