import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/random/random.js';
import { SYNTHETIC_ACTION_CLASSES, generateSyntheticActions, toBatch, type SkeletonSample } from '../../src/data/syntheticActions.js';

const at = (s: SkeletonSample, t: number, m: number, v: number, c: number) => s.keypoints[((t * s.persons + m) * 17 + v) * 3 + c];

/** Per joint and coordinate, the standard deviation over time of person 0 (dropped joints skipped): 34 numbers. */
function motionFeature(s: SkeletonSample): number[] {
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

describe('createRandom', () => {
  it('is deterministic, uniform in [0, 1), normal with mean 0 and sd 1', () => {
    const a = createRandom(7),
      b = createRandom(7),
      c = createRandom(8);
    const sa = Array.from({ length: 5 }, () => a.uniform());
    expect(sa).toEqual(Array.from({ length: 5 }, () => b.uniform()));
    expect(sa).not.toEqual(Array.from({ length: 5 }, () => c.uniform()));
    const r = createRandom(1);
    const u = Array.from({ length: 20000 }, () => r.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, x) => s + x, 0) / u.length).toBeCloseTo(0.5, 1);
    const z = Array.from({ length: 20000 }, () => r.normal());
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, x) => s + (x - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    const ints = new Set(Array.from({ length: 500 }, () => r.int(6)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('names bad arguments', () => {
    expect(() => createRandom(1.5)).toThrow(/seed: expected a safe integer, got 1.5/);
    expect(() => createRandom(0).int(0)).toThrow(/maxExclusive: expected an integer in \[1, 2\^32\], got 0/);
  });
});

describe('generateSyntheticActions', () => {
  const small = { samplesPerClass: 3, minFrames: 10, maxFrames: 20 };

  it('has 8 distinct classes', () => {
    expect(SYNTHETIC_ACTION_CLASSES.length).toBe(8);
    expect(new Set(SYNTHETIC_ACTION_CLASSES).size).toBe(8);
    expect(generateSyntheticActions(small).classes).toBe(SYNTHETIC_ACTION_CLASSES);
  });

  it('is deterministic for a seed, and different seeds differ', () => {
    const a = generateSyntheticActions({ ...small, seed: 3 }).samples;
    const b = generateSyntheticActions({ ...small, seed: 3 }).samples;
    const c = generateSyntheticActions({ ...small, seed: 4 }).samples;
    expect(a.map((s) => s.frames)).toEqual(b.map((s) => s.frames));
    a.forEach((s, i) => expect(s.keypoints).toEqual(b[i].keypoints));
    expect(a.some((s, i) => s.frames !== c[i].frames || s.keypoints.some((v, k) => v !== c[i].keypoints[k]))).toBe(true);
  });

  it('gives shapes, lengths and balanced labels as asked, values finite and in range', () => {
    const { samples } = generateSyntheticActions({ samplesPerClass: 12, minFrames: 24, maxFrames: 30, seed: 1 });
    expect(samples.length).toBe(12 * 8);
    const perClass = new Array(8).fill(0);
    const bad: string[] = [];
    for (const s of samples) {
      expect(s.frames).toBeGreaterThanOrEqual(24);
      expect(s.frames).toBeLessThanOrEqual(30);
      expect([s.persons, s.joints, s.channels]).toEqual([1, 17, 3]);
      expect(s.keypoints.length).toBe(s.frames * 17 * 3);
      perClass[s.label]++;
      s.keypoints.forEach((v, i) => {
        if (!Number.isFinite(v)) bad.push(`non-finite ${v}`);
        else if (i % 3 === 2 ? !(v > 0 && v <= 1) : Math.abs(v) > 1.5) bad.push(`${i % 3 === 2 ? 'score' : 'coordinate'} ${v}`);
      });
    }
    expect(bad).toEqual([]);
    expect(perClass).toEqual(new Array(8).fill(12));
    expect(samples.slice(0, 8).map((s) => s.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(samples.map((s) => s.frames)).size).toBeGreaterThan(3);
  });

  it('uses image-like coordinates: head above hips above ankles (y down), left joints on the image right', () => {
    const { samples } = generateSyntheticActions({ samplesPerClass: 4, noise: 0, dropRate: 0, seed: 2 });
    for (const s of samples.filter((x) => x.label !== 6)) {
      expect(at(s, 0, 0, 0, 1)).toBeLessThan(at(s, 0, 0, 11, 1));
      expect(at(s, 0, 0, 11, 1)).toBeLessThan(at(s, 0, 0, 15, 1));
      expect(at(s, 0, 0, 5, 0)).toBeGreaterThan(at(s, 0, 0, 6, 0)); // facing the camera (yaw <= 30 deg)
    }
  });

  it('drops joints (x = y = 0, score <= 0.3) at the asked rate, scores 0.8-1 otherwise', () => {
    const { samples } = generateSyntheticActions({ samplesPerClass: 5, dropRate: 0.1, seed: 5 });
    let dropped = 0,
      total = 0;
    for (const s of samples) {
      for (let k = 0; k < s.keypoints.length; k += 3) {
        const score = s.keypoints[k + 2];
        total++;
        if (score <= 0.3) {
          dropped++;
          expect([s.keypoints[k], s.keypoints[k + 1]]).toEqual([0, 0]);
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
    const { samples } = generateSyntheticActions({ samplesPerClass: 25, persons: 2, dropRate: 0, seed: 9 });
    const present = samples.filter((s) => s.keypoints.some((v, k) => Math.floor(k / 51) % 2 === 1 && v !== 0));
    expect(present.length / samples.length).toBeGreaterThan(0.35);
    expect(present.length / samples.length).toBeLessThan(0.65);
    for (const s of samples) expect(s.persons).toBe(2);
    // Mirrored: in a wave_left sample the first person moves its left wrist, the partner its right wrist.
    const spread = (s: SkeletonSample, m: number, v: number) => {
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
    const train = generateSyntheticActions({ samplesPerClass: 15, seed: 11 }).samples;
    const test = generateSyntheticActions({ samplesPerClass: 15, seed: 12 }).samples;
    const centroids = Array.from({ length: 8 }, () => new Array(34).fill(0));
    for (const s of train) motionFeature(s).forEach((v, i) => (centroids[s.label][i] += v / 15));
    let correct = 0;
    for (const s of test) {
      const f = motionFeature(s);
      const d = centroids.map((c) => c.reduce((a, v, i) => a + (v - f[i]) ** 2, 0));
      if (d.indexOf(Math.min(...d)) === s.label) correct++;
    }
    expect(correct / test.length).toBeGreaterThan(0.8); // chance is 0.125
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

describe('toBatch', () => {
  /** A sample whose every value encodes its own position: 1000 t + 100 m + 3 v + c + 1. */
  function indexed(frames: number, persons: number, label: number): SkeletonSample {
    const keypoints = new Float32Array(frames * persons * 51);
    for (let t = 0; t < frames; t++)
      for (let m = 0; m < persons; m++)
        for (let v = 0; v < 17; v++)
          for (let c = 0; c < 3; c++) {
            keypoints[((t * persons + m) * 17 + v) * 3 + c] = 1000 * t + 100 * m + 3 * v + c + 1;
          }
    return { keypoints, frames, persons, joints: 17, channels: 3, label };
  }

  it('puts person before frame, resamples uniformly and zero-pads persons', () => {
    const samples = [indexed(10, 2, 4), indexed(3, 1, 1)];
    const { x, shape, labels } = toBatch(samples, 4, 2);
    expect(shape).toEqual([2, 2, 4, 17, 3]);
    expect(x.length).toBe(2 * 2 * 4 * 17 * 3);
    expect(Array.from(labels)).toEqual([4, 1]);
    const get = (b: number, m: number, t: number, v: number, c: number) => x[(((b * 2 + m) * 4 + t) * 17 + v) * 3 + c];
    // sample 0, 10 -> 4 frames: floor((i + 0.5) * 10 / 4) = 1, 3, 6, 8
    expect(get(0, 1, 2, 5, 1)).toBe(1000 * 6 + 100 + 15 + 1 + 1);
    expect([0, 1, 2, 3].map((i) => (get(0, 0, i, 0, 0) - 1) / 1000)).toEqual([1, 3, 6, 8]);
    // sample 1, 3 -> 4 frames: floor((i + 0.5) * 3 / 4) = 0, 1, 1, 2
    expect([0, 1, 2, 3].map((i) => (get(1, 0, i, 0, 0) - 1) / 1000)).toEqual([0, 1, 1, 2]);
    expect(get(1, 0, 3, 16, 2)).toBe(2000 + 48 + 2 + 1);
    for (let t = 0; t < 4; t++) for (let k = 0; k < 51; k++) expect(x[((1 * 2 + 1) * 4 + t) * 51 + k]).toBe(0);
  });

  it('batches a generated dataset', () => {
    const { samples } = generateSyntheticActions({ samplesPerClass: 2, persons: 2, seed: 1 });
    const batch = toBatch(samples, 32, 2);
    expect(batch.shape).toEqual([16, 2, 32, 17, 3]);
    expect(batch.x.every(Number.isFinite)).toBe(true);
  });

  it('names bad arguments', () => {
    const s = indexed(5, 2, 0);
    expect(() => toBatch([], 8, 1)).toThrow(/samples: expected a non-empty array of SkeletonSample/);
    expect(() => toBatch([s], 0, 2)).toThrow(/frames: expected an integer >= 1, got 0/);
    expect(() => toBatch([s], 8, 1.5)).toThrow(/persons: expected an integer >= 1, got 1.5/);
    expect(() => toBatch([s], 8, 1)).toThrow(/samples\[0\].persons: expected an integer in \[1, 1\] \(the batch's persons\), got 2/);
    expect(() => toBatch([s, { ...s, keypoints: new Float32Array(7) }], 8, 2)).toThrow(
      /samples\[1\].keypoints: expected a Float32Array of length frames \* persons \* 17 \* 3 = 510, got "length 7"/,
    );
    expect(() => toBatch([{ ...s, joints: 25 as 17 }], 8, 2)).toThrow(/samples\[0\].joints: expected 17, got 25/);
    expect(() => toBatch([{ ...s, label: -1 }], 8, 2)).toThrow(/samples\[0\].label: expected an integer >= 0, got -1/);
  });
});
