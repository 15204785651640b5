import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boneParents } from '../../../src/layouts/bones.js';
import { NumpyRandomState } from '../../../src/random/numpyRandomState.js';
import { createRandom, type Random } from '../../../src/random/random.js';
import type { SkeletonSequence } from '../../../src/data/skeletonSequence.js';
import type { TransformStep } from '../../../src/data/transforms/composeTransforms.js';
import { pysklTestPipeline, pysklTrainPipeline } from '../../../src/data/transforms/pysklPipelines.js';
import { formatClips } from '../../../src/data/transforms/formatClips.js';
import { normalize3D } from '../../../src/data/transforms/normalize3d.js';
import { skeletonFeatures } from '../../../src/data/transforms/skeletonFeatures.js';
import { sampleFrames } from '../../../src/data/transforms/sampleFrames.js';
import { uniformSampleIndices } from '../../../src/data/transforms/uniformSample.js';
import { patternSequence } from './makeSequence.js';

/** A COCO-17 2D clip in pixels of a 1920 x 1080 image, M=1, with scores. */
function cocoClip(frames: number): SkeletonSequence {
  const keypoint = Float32Array.from({ length: frames * 17 * 2 }, (_, i) => (i % 2 === 0 ? 960 + 400 * Math.sin(i) : 540 + 300 * Math.cos(i)));
  const score = Float32Array.from({ length: frames * 17 }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.3));
  return { keypoint, score, persons: 1, frames, joints: 17, dims: 2, label: 2, imageShape: [1080, 1920] };
}

describe('pysklTestPipeline / pysklTrainPipeline (2D, the Ske2Grid configs)', () => {
  const seq = cocoClip(40);

  it('test: [10, 2, 100, 17, 3] = (x, y, score) of normalised frames 4i + k mod 40, second person zero', () => {
    const out = pysklTestPipeline()(seq);
    expect(out.shape).toEqual([10, 2, 100, 17, 3]);
    expect(out.label).toBe(2);
    const at = (clip: number, m: number, k: number, v: number, c: number) => out.data[(((clip * 2 + m) * 100 + k) * 17 + v) * 3 + c];
    for (const [clip, k, v] of [
      [0, 0, 0],
      [3, 50, 7],
      [9, 99, 16],
    ]) {
      const t = (4 * clip + k) % 40;
      const x = seq.keypoint[(t * 17 + v) * 2],
        y = seq.keypoint[(t * 17 + v) * 2 + 1];
      expect(at(clip, 0, k, v, 0)).toBe(Math.fround(Math.fround(x - 960) / 960));
      expect(at(clip, 0, k, v, 1)).toBe(Math.fround(Math.fround(y - 540) / 540));
      expect(at(clip, 0, k, v, 2)).toBe(seq.score?.[t * 17 + v]);
      expect([0, 1, 2].map((c) => at(clip, 1, k, v, c))).toEqual([0, 0, 0]);
    }
    expect(pysklTestPipeline({ numClips: 1 })(seq).data).toEqual(out.data.subarray(0, 2 * 100 * 17 * 3));
  });

  it('train: one clip drawn from the given NumpyRandomState, as the sampler alone draws it', () => {
    const long = cocoClip(150);
    const out = pysklTrainPipeline()(long, new NumpyRandomState(0));
    expect(out.shape).toEqual([1, 2, 100, 17, 3]);
    const inds = uniformSampleIndices(150, 100, { random: new NumpyRandomState(0) });
    for (const k of [0, 37, 99]) {
      const x = long.keypoint[inds[k] * 17 * 2];
      expect(out.data[k * 17 * 3]).toBe(Math.fround(Math.fround(x - 960) / 960));
    }
  });

  it('train augmentations run after normalisation and receive the random source', () => {
    const seen: number[] = [];
    const probe: TransformStep = (s, r: Random) => {
      seen.push(s.keypoint[0], r.uniform());
      return s;
    };
    pysklTrainPipeline({ augmentations: [probe], clipLen: 8 })(cocoClip(10), createRandom(1));
    expect(seen[0]).toBeCloseTo((960 + 400 * Math.sin(0) - 960) / 960, 6);
    expect(seen[1]).toBe(createRandom(1).uniform());
  });

  it('names bad options', () => {
    expect(() => pysklTestPipeline({ clipLen: 0 })).toThrow(/options.clipLen: expected an integer >= 1, got 0/);
    expect(() => pysklTrainPipeline({ persons: 0 })).toThrow(/options.persons: expected an integer >= 1, got 0/);
    expect(() => pysklTestPipeline({ kind: '4d' as '3d' })).toThrow(/options.kind: expected '2d' or '3d', got "4d"/);
    expect(() => pysklTrainPipeline()(seq, undefined as unknown as Random)).toThrow(/options.random: expected a Random source/);
    expect(() => pysklTestPipeline({ feats: ['b'], layout: 'ntu25' })(seq)).toThrow(/parents.length: expected 17 \(one joint index per joint\), got 25/);
  });
});

describe('pysklTestPipeline (3D)', () => {
  it('normalise3D -> joints + bones -> sample -> clips, equal to the steps run by hand', () => {
    const seq = patternSequence(2, 30, 25, 3);
    const out = pysklTestPipeline({ kind: '3d', feats: ['j', 'b'], clipLen: 20, numClips: 3 })(seq);
    expect(out.shape).toEqual([3, 2, 20, 25, 6]);
    const feats = skeletonFeatures(normalize3D(seq), ['j', 'b'], boneParents('nturgb+d'));
    const inds = uniformSampleIndices(feats.frames, 20, { mode: 'test', numClips: 3 });
    expect(out.data).toEqual(formatClips(sampleFrames(feats, inds), { numClips: 3 }).data);
  });

  const dir = path.resolve(process.cwd(), '../shared/datasets/utkinect');
  const exists = existsSync(path.join(dir, 'manifest.json'));
  it.skipIf(!exists)('real data (needs ../shared/datasets/utkinect): Kinect-20 clips are finite, shoulders aligned with +x', () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
      samples: { frames: number; byte_offset: number; label: number; id: string }[];
    };
    const fd = openSync(path.join(dir, 'data.f32'), 'r');
    try {
      for (const s of manifest.samples.slice(0, 3)) {
        const bytes = Buffer.alloc(s.frames * 20 * 3 * 4);
        readSync(fd, bytes, 0, bytes.length, s.byte_offset);
        const keypoint = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice(); // M = 1: [T][V][C] as stored
        const seq: SkeletonSequence = { keypoint, persons: 1, frames: s.frames, joints: 20, dims: 3, label: s.label, id: s.id };
        const options = {
          kind: '3d' as const,
          layout: 'kinect20' as const,
          feats: ['j' as const, 'b' as const],
          normalize3D: { centerJoint: 1 },
          clipLen: 32,
          numClips: 2,
        };
        const out = pysklTestPipeline(options)(seq);
        expect(out.shape).toEqual([2, 2, 32, 20, 6]);
        expect(out.data.every(Number.isFinite)).toBe(true);
        expect(out.label).toBe(s.label);
        const norm = normalize3D(seq, { centerJoint: 1 });
        const shoulder = [0, 1, 2].map((c) => norm.keypoint[8 * 3 + c] - norm.keypoint[4 * 3 + c]);
        expect(shoulder[0]).toBeGreaterThan(0.1);
        expect(Math.abs(shoulder[1]) + Math.abs(shoulder[2])).toBeLessThan(1e-5);
        expect(Array.from(norm.keypoint.subarray(3, 6))).toEqual([0, 0, 0]);
      }
    } finally {
      closeSync(fd);
    }
  });
});
