import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { clipBatchDataset } from '../../src/data/clipBatches.js';
import { checkSequence, keypointIndex, type SkeletonSequence } from '../../src/data/skeletonSequence.js';
import { SYNTHETIC_ACTION_CLASSES, generateSyntheticActions } from '../../src/data/syntheticActions.js';
import { formatClips } from '../../src/data/transforms/formatClips.js';
import { sampleFrames } from '../../src/data/transforms/sampleFrames.js';
import { uniformSampleIndices } from '../../src/data/transforms/uniformSample.js';
import { useBackend } from '../helpers/backends.js';

/** Frame t, person m, joint v: c = 0, 1 the x, y coordinate, c = 2 the score. */
const at = (s: SkeletonSequence, t: number, m: number, v: number, c: number) =>
  c === 2 ? s.score![(m * s.frames + t) * s.joints + v] : s.keypoint[keypointIndex(s, m, t, v, c)];

/** Per joint and coordinate, the standard deviation over time of person 0 (dropped joints skipped): 34 numbers. */
function motionFeature(s: SkeletonSequence): number[] {
  const f: number[] = [];
  for (let v = 0; v < 17; v++) {
    for (let c = 0; c < 2; c++) {
      let sum = 0,
        sq = 0,
        n = 0;
      for (let t = 0; t < s.frames; t++) {
        if (at(s, t, 0, v, 2) < 0.5) continue;
        const x = at(s, t, 0, v, c);
        sum += x;
        sq += x * x;
        n++;
      }
      const mean = sum / n;
      f.push(Math.sqrt(Math.max(0, sq / n - mean * mean)));
    }
  }
  return f;
}

describe('generateSyntheticActions', () => {
  const small = { samplesPerClass: 3, minFrames: 10, maxFrames: 20 };

  it('has 8 distinct classes', () => {
    expect(SYNTHETIC_ACTION_CLASSES.length).toBe(8);
    expect(new Set(SYNTHETIC_ACTION_CLASSES).size).toBe(8);
    expect(generateSyntheticActions(small).classes).toBe(SYNTHETIC_ACTION_CLASSES);
  });

  it('is deterministic for a seed, and different seeds differ', () => {
    const a = generateSyntheticActions({ ...small, seed: 3 }).sequences;
    const b = generateSyntheticActions({ ...small, seed: 3 }).sequences;
    const c = generateSyntheticActions({ ...small, seed: 4 }).sequences;
    expect(a.map((s) => s.frames)).toEqual(b.map((s) => s.frames));
    a.forEach((s, i) => expect([s.keypoint, s.score]).toEqual([b[i].keypoint, b[i].score]));
    expect(a.some((s, i) => s.frames !== c[i].frames || s.keypoint.some((v, k) => v !== c[i].keypoint[k]))).toBe(true);
  });

  it('gives shapes, lengths and balanced labels as asked, values finite and in range', () => {
    const { sequences: samples } = generateSyntheticActions({ samplesPerClass: 12, minFrames: 24, maxFrames: 30, seed: 1 });
    expect(samples.length).toBe(12 * 8);
    const perClass = new Array(8).fill(0);
    const bad: string[] = [];
    for (const s of samples) {
      expect(s.frames).toBeGreaterThanOrEqual(24);
      expect(s.frames).toBeLessThanOrEqual(30);
      expect([s.persons, s.joints, s.dims]).toEqual([1, 17, 2]);
      expect(checkSequence(s, 'sample', 8)).toBe(s);
      expect([s.keypoint.length, s.score!.length]).toEqual([s.frames * 17 * 2, s.frames * 17]);
      perClass[s.label!]++;
      s.keypoint.forEach((v) => {
        if (Math.abs(v) > 1.5) bad.push(`coordinate ${v}`);
      });
      s.score!.forEach((v) => {
        if (!(v > 0 && v <= 1)) bad.push(`score ${v}`);
      });
    }
    expect(bad).toEqual([]);
    expect(perClass).toEqual(new Array(8).fill(12));
    expect(samples.slice(0, 8).map((s) => s.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(samples.map((s) => s.frames)).size).toBeGreaterThan(3);
  });

  it('uses image-like coordinates: head above hips above ankles (y down), left joints on the image right', () => {
    const { sequences: samples } = generateSyntheticActions({ samplesPerClass: 4, noise: 0, dropRate: 0, seed: 2 });
    for (const s of samples.filter((x) => x.label !== 6)) {
      expect(at(s, 0, 0, 0, 1)).toBeLessThan(at(s, 0, 0, 11, 1));
      expect(at(s, 0, 0, 11, 1)).toBeLessThan(at(s, 0, 0, 15, 1));
      expect(at(s, 0, 0, 5, 0)).toBeGreaterThan(at(s, 0, 0, 6, 0)); // facing the camera (yaw <= 30 deg)
    }
  });

  it('drops joints (x = y = 0, score <= 0.3) at the asked rate, scores 0.8-1 otherwise', () => {
    const { sequences: samples } = generateSyntheticActions({ samplesPerClass: 5, dropRate: 0.1, seed: 5 });
    let dropped = 0,
      total = 0;
    for (const s of samples) {
      for (let k = 0; k < s.score!.length; k++) {
        const score = s.score![k];
        total++;
        if (score <= 0.3) {
          dropped++;
          expect([s.keypoint[2 * k], s.keypoint[2 * k + 1]]).toEqual([0, 0]);
          expect(score).toBeGreaterThanOrEqual(0.1);
        } else {
          expect(score).toBeGreaterThanOrEqual(0.8);
        }
      }
    }
    expect(dropped / total).toBeGreaterThan(0.08);
    expect(dropped / total).toBeLessThan(0.12);
  });

  it('two persons: the partner is absent (zeros) about half the time, else mirrored beside the first', () => {
    const { sequences: samples } = generateSyntheticActions({ samplesPerClass: 25, persons: 2, dropRate: 0, seed: 9 });
    const present = samples.filter((s) => s.keypoint.subarray(s.frames * 17 * 2).some((v) => v !== 0));
    expect(present.length / samples.length).toBeGreaterThan(0.35);
    expect(present.length / samples.length).toBeLessThan(0.65);
    for (const s of samples) expect(s.persons).toBe(2);
    // Mirrored: in a wave_left sample the first person moves its left wrist, the partner its right wrist.
    const spread = (s: SkeletonSequence, m: number, v: number) => {
      const xs = Array.from({ length: s.frames }, (_, t) => at(s, t, m, v, 0));
      return Math.max(...xs) - Math.min(...xs);
    };
    for (const s of present.filter((x) => x.label === 0)) {
      expect(spread(s, 0, 9)).toBeGreaterThan(2 * spread(s, 0, 10));
      expect(spread(s, 1, 10)).toBeGreaterThan(2 * spread(s, 1, 9));
      expect(Math.sign(at(s, 0, 0, 0, 0))).toBe(-Math.sign(at(s, 0, 1, 0, 0))); // side by side
    }
  });

  it('classes differ: nearest centroid on per-joint motion spread is far above chance on held-out samples', () => {
    const train = generateSyntheticActions({ samplesPerClass: 15, seed: 11 }).sequences;
    const test = generateSyntheticActions({ samplesPerClass: 15, seed: 12 }).sequences;
    const centroids = Array.from({ length: 8 }, () => new Array(34).fill(0));
    for (const s of train) motionFeature(s).forEach((v, i) => (centroids[s.label!][i] += v / 15));
    let correct = 0;
    for (const s of test) {
      const f = motionFeature(s);
      const d = centroids.map((c) => c.reduce((a, v, i) => a + (v - f[i]) ** 2, 0));
      if (d.indexOf(Math.min(...d)) === s.label) correct++;
    }
    expect(correct / test.length).toBeGreaterThan(0.8); // chance is 0.125
  });

  it('keeps its random stream: seed 3 gives the same numbers as when samples were [T][M][17][3] arrays', () => {
    // Recorded from the generator before its clips became SkeletonSequences (same draws, another layout).
    const { sequences } = generateSyntheticActions({ samplesPerClass: 2, persons: 2, seed: 3, minFrames: 10, maxFrames: 20 });
    expect(sequences.map((s) => s.frames)).toEqual([17, 16, 13, 13, 18, 11, 17, 15, 15, 14, 20, 18, 17, 12, 16, 10]);
    const s = sequences[5];
    expect(s.label).toBe(5);
    expect([at(s, 4, 1, 9, 0), at(s, 4, 1, 9, 1), at(s, 4, 1, 9, 2)]).toEqual([
      Math.fround(0.6294879913330078),
      Math.fround(0.020121127367019653),
      Math.fround(0.945315957069397),
    ]);
    expect(at(s, 0, 0, 0, 0)).toBe(Math.fround(-0.569428563117981));
    expect(at(s, s.frames - 1, 0, 16, 1)).toBe(Math.fround(0.5820912718772888));
    let sum = 0;
    for (const q of sequences) for (const a of [q.keypoint, q.score!]) for (const v of a) sum += v;
    expect(sum).toBeCloseTo(5507.0368279452705, 6);
  });

  it('feeds the clip pipeline: frame sampling, formatClips and clipBatchDataset give [B, M, T, 17, 3] with the score last', async () => {
    useBackend('cpu');
    const before = tf.memory().numTensors;
    const { sequences, classes } = generateSyntheticActions({ samplesPerClass: 2, persons: 2, seed: 1 });
    const batches = clipBatchDataset(sequences, {
      clips: (seq, random) => formatClips(sampleFrames(seq, uniformSampleIndices(seq.frames, 8, { random })), { persons: 2 }),
      numClasses: classes.length,
      batchSize: 16,
      shuffle: false,
    });
    const { value, done } = await (await batches.iterator()).next();
    expect(done).toBe(false);
    const { xs, ys } = value as { xs: tf.Tensor; ys: tf.Tensor };
    expect([xs.shape, ys.shape]).toEqual([
      [16, 2, 8, 17, 3],
      [16, 8],
    ]);
    const x = (await xs.data()) as Float32Array;
    expect(x.every(Number.isFinite)).toBe(true);
    // Every clip's channel 2 is a score of its own sequence; the labels are one-hot in sample order.
    const scores = new Set(sequences[3].score);
    for (let k = 0; k < 8 * 17; k++) expect(scores.has(x[(3 * 2 * 8 * 17 + k) * 3 + 2])).toBe(true);
    const labels = tf.argMax(ys, 1);
    expect(Array.from((await labels.data()) as Int32Array)).toEqual(sequences.map((s) => s.label));
    tf.dispose([xs, ys, labels]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names bad options', () => {
    expect(() => generateSyntheticActions({ samplesPerClass: 0 })).toThrow(/options.samplesPerClass: expected an integer >= 1, got 0/);
    expect(() => generateSyntheticActions({ minFrames: 30, maxFrames: 20 })).toThrow(/options.maxFrames: expected an integer >= minFrames \(30\), got 20/);
    expect(() => generateSyntheticActions({ persons: 3 })).toThrow(/options.persons: expected 1 or 2, got 3/);
    expect(() => generateSyntheticActions({ noise: -1 })).toThrow(/options.noise/);
    expect(() => generateSyntheticActions({ dropRate: 2 })).toThrow(/options.dropRate/);
    expect(() => generateSyntheticActions({ seed: 0.5 })).toThrow(/options.seed: expected a safe integer, got 0.5/);
  });
});
