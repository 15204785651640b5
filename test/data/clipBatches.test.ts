import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipBatchDataset, type ClipMaker } from '../../src/data/clipBatches.js';
import type { SkeletonSequence } from '../../src/data/skeletonSequence.js';
import { formatClips } from '../../src/data/transforms/formatClips.js';
import { useBackend } from '../helpers/backends.js';

/** Sequence i: 1 person, 2 frames, 1 joint, 1 dim, every value = i; label i % 3. */
function sequences(n: number): SkeletonSequence[] {
  return Array.from({ length: n }, (_, i) => ({ keypoint: new Float32Array([i, i]), persons: 1, frames: 2, joints: 1, dims: 1, label: i % 3, id: `s${i}` }));
}
const asClip: ClipMaker = (seq) => formatClips(seq, { persons: 1 });

/** Reads one epoch: the sample value of every clip, the labels, the batch sizes; disposes the tensors. */
async function readEpoch(ds: ReturnType<typeof clipBatchDataset>): Promise<{ values: number[]; labels: number[]; sizes: number[] }> {
  const it = await ds.iterator();
  const out = { values: [] as number[], labels: [] as number[], sizes: [] as number[] };
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const { xs, ys } = r.value;
    expect(xs.shape.slice(1)).toEqual([1, 2, 1, 1]);
    const x = (await xs.data()) as Float32Array;
    for (let b = 0; b < xs.shape[0]; b++) out.values.push(x[b * 2]);
    const am = tf.argMax(ys, 1);
    out.labels.push(...((await am.data()) as Int32Array));
    am.dispose();
    out.sizes.push(xs.shape[0]);
    tf.dispose([xs, ys]);
  }
  return out;
}

describe('clipBatchDataset', () => {
  beforeAll(() => useBackend('cpu'));

  it('visits every sample once per epoch, in a seeded order that changes between epochs', async () => {
    const before = tf.memory().numTensors;
    const ds = clipBatchDataset(sequences(7), { clips: asClip, numClasses: 3, batchSize: 3, seed: 5 });
    expect(ds.size).toBe(3);
    const e1 = await readEpoch(ds);
    const e2 = await readEpoch(ds);
    expect(e1.sizes).toEqual([3, 3, 1]);
    expect([...e1.values].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...e2.values].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(e1.values).not.toEqual(e2.values);
    expect(e1.labels).toEqual(e1.values.map((v) => v % 3));
    const again = await readEpoch(clipBatchDataset(sequences(7), { clips: asClip, numClasses: 3, batchSize: 3, seed: 5 }));
    expect(again.values).toEqual(e1.values);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the order without shuffling, uses a subset, and drops a short last batch on request', async () => {
    const ds = clipBatchDataset(sequences(7), { clips: asClip, numClasses: 3, batchSize: 2, shuffle: false, indices: [6, 1, 4, 3, 0], dropRemainder: true });
    expect(ds.size).toBe(2);
    const e = await readEpoch(ds);
    expect(e.values).toEqual([6, 1, 4, 3]);
    expect(e.sizes).toEqual([2, 2]);
  });

  it('reads lazy sources one sample at a time', async () => {
    const seqs = sequences(4);
    const asked: number[] = [];
    const source = { size: 4, get: async (i: number) => (asked.push(i), seqs[i]) };
    const e = await readEpoch(clipBatchDataset(source, { clips: asClip, numClasses: 3, batchSize: 4, shuffle: false }));
    expect(e.values).toEqual([0, 1, 2, 3]);
    expect(asked).toEqual([0, 1, 2, 3]);
  });

  it('hands the clip maker a seeded random source', async () => {
    const jitter: ClipMaker = (seq, random) => formatClips({ ...seq, keypoint: seq.keypoint.map((v) => v + random.uniform()) }, { persons: 1 });
    const a = await readEpoch(clipBatchDataset(sequences(4), { clips: jitter, numClasses: 3, seed: 1 }));
    const b = await readEpoch(clipBatchDataset(sequences(4), { clips: jitter, numClasses: 3, seed: 1 }));
    const c = await readEpoch(clipBatchDataset(sequences(4), { clips: jitter, numClasses: 3, seed: 2 }));
    expect(a.values).toEqual(b.values);
    expect(a.values).not.toEqual(c.values);
  });

  it('rejects bad arguments and bad samples with named errors', async () => {
    expect(() => clipBatchDataset(sequences(2), { clips: asClip, numClasses: 0 })).toThrow(/options\.numClasses: expected an integer >= 1, got 0/);
    expect(() => clipBatchDataset(sequences(2), { clips: asClip, numClasses: 3, indices: [0, 2] })).toThrow(
      /options\.indices\[1\]: expected a sample index in \[0, 1\], got 2/,
    );
    expect(() => clipBatchDataset(sequences(2), { clips: undefined as never, numClasses: 3 })).toThrow(/options\.clips/);
    expect(() => clipBatchDataset({} as never, { clips: asClip, numClasses: 3 })).toThrow(/source: expected an array/);
    expect(() => clipBatchDataset(sequences(2), { clips: asClip, numClasses: 3, batchSize: 3, dropRemainder: true })).toThrow(/options\.batchSize/);

    const before = tf.memory().numTensors;
    const badLabel = clipBatchDataset(sequences(3), { clips: asClip, numClasses: 2, shuffle: false });
    await expect(readEpoch(badLabel)).rejects.toThrow(/sample 2 \(s2\) label: expected an integer in \[0, 1\], got 2/);
    const twoClips = clipBatchDataset(sequences(2), { clips: (s) => formatClips(s, { persons: 1, numClips: 2 }), numClasses: 3 });
    await expect(readEpoch(twoClips)).rejects.toThrow(/^options.clips \(sample \d\): expected one clip per training sample, got 2$/);
    const ragged = clipBatchDataset([...sequences(1), { ...sequences(1)[0], keypoint: new Float32Array(3), frames: 3 }], {
      clips: asClip,
      numClasses: 3,
      shuffle: false,
    });
    await expect(readEpoch(ragged)).rejects.toThrow(/^options.clips \(sample 1\): expected every clip of shape \[1, 2, 1, 1\], got \[1, 3, 1, 1\]$/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
