import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSplit, parseDatasetManifest } from '../../src/data/readers/datasetManifest.js';
import type { SkeletonSequence } from '../../src/data/skeletonSequence.js';
import { defineLayout } from '../../src/layouts/skeletonLayout.js';
import { openSkeletonDataset } from '../../src/node/datasetDirectory.js';
import { writeSkeletonDataset } from '../../src/node/writeSkeletonDataset.js';

const LAYOUT = defineLayout({
  name: 'tri',
  joints: ['root', 'left', 'right'],
  edges: [
    [1, 0],
    [2, 0],
  ],
  center: 0,
});

/** A sequence with distinct values: keypoint[i] = base + i, score[i] = (i + 1) / 100. */
function sequence(persons: number, frames: number, dims: number, label: number, base: number, withScore: boolean): SkeletonSequence {
  const keypoint = Float32Array.from({ length: persons * frames * 3 * dims }, (_, i) => base + i);
  const s: SkeletonSequence = { keypoint, persons, frames, joints: 3, dims, label, id: `c${base}` };
  if (withScore) s.score = Float32Array.from({ length: persons * frames * 3 }, (_, i) => (i + 1) / 100);
  return s;
}

describe('writeSkeletonDataset', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ske2grid-write-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('round-trips 2D sequences with scores and image sizes through openSkeletonDataset (checksums verified)', async () => {
    const seqs = [sequence(2, 3, 2, 1, 0, true), sequence(2, 1, 2, 0, 1000, true), sequence(2, 4, 2, 1, 2000, true)];
    seqs[0].imageShape = [480, 640];
    seqs[2].imageShape = [720, 1280];
    const dir = join(root, 'scores');
    const manifest = await writeSkeletonDataset(dir, seqs, {
      name: 'tri2d',
      classes: ['a', 'b'],
      layout: LAYOUT,
      splits: { fixed: { train: [0, 1], test: [2] } },
      sampleFields: (_, i) => ({ subject: i + 1 }),
    });
    expect(manifest.format).toMatchObject({
      num_persons: 2,
      num_joints: 3,
      coord_dims: 2,
      total_frames: 8,
      data_bytes: 8 * 2 * 3 * 2 * 4,
      score_file: 'score.f32',
    });
    expect(manifest.samples.map((s) => [s.frame_offset, s.byte_offset, s.subject])).toEqual([
      [0, 0, 1],
      [3, 144, 2],
      [4, 192, 3],
    ]);
    const data = await openSkeletonDataset(dir, { verifyChecksums: true });
    const back = await data.readAll();
    await data.close();
    back.forEach((b, i) => {
      expect(b.keypoint).toEqual(seqs[i].keypoint);
      expect(b.score).toEqual(seqs[i].score);
      expect([b.persons, b.frames, b.joints, b.dims, b.label, b.id]).toEqual([2, seqs[i].frames, 3, 2, seqs[i].label, seqs[i].id]);
      expect(b.imageShape).toEqual(seqs[i].imageShape);
    });
    expect(datasetSplit(manifest, 'fixed')).toEqual({ train: [0, 1], test: [2] });
  });

  it('stores the file frame-major: [T][M][V][C] (and [T][M][V] for scores)', async () => {
    const dir = join(root, 'order');
    await writeSkeletonDataset(dir, [sequence(2, 2, 2, 0, 0, true)], { name: 'o', classes: ['a'], layout: LAYOUT, splits: {} });
    const bytes = await readFile(join(dir, 'data.f32'));
    const file = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    // keypoint [M=2][T=2][6 values]: person 0 frame 0 = 0..5, p0 f1 = 6..11, p1 f0 = 12..17, p1 f1 = 18..23
    expect(file).toEqual([0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17, 6, 7, 8, 9, 10, 11, 18, 19, 20, 21, 22, 23]);
    const s = await readFile(join(dir, 'score.f32'));
    expect(Array.from({ length: s.length / 4 }, (_, i) => Math.round(s.readFloatLE(i * 4) * 100))).toEqual([1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12]);
  });

  it('round-trips 3D sequences without scores, with the default holdout split (every fifth sample per class)', async () => {
    const seqs = Array.from({ length: 12 }, (_, i) => sequence(1, 2 + (i % 3), 3, i % 2, i * 100, false));
    const dir = join(root, 'plain');
    const manifest = await writeSkeletonDataset(dir, seqs, { name: 'tri3d', classes: ['even', 'odd'], layout: LAYOUT });
    expect(manifest.format.score_file).toBeUndefined();
    expect(manifest.joints).toMatchObject({
      names: ['root', 'left', 'right'],
      edges: [
        [1, 0],
        [2, 0],
      ],
      center_joint: 0,
    });
    // class 0 = samples 0, 2, 4, 6, 8, 10 -> the fifth is 8; class 1 = 1, 3, 5, 7, 9, 11 -> 9
    expect(datasetSplit(manifest, 'holdout')).toEqual({ train: [0, 1, 2, 3, 4, 5, 6, 7, 10, 11], test: [8, 9] });
    const data = await openSkeletonDataset(dir, { verifyChecksums: true });
    const b = await data.get(7);
    await data.close();
    expect(b.keypoint).toEqual(seqs[7].keypoint);
    expect(b.score).toBeUndefined();
    expect(b.imageShape).toBeUndefined();
  });

  it('refuses mixed shapes, missing labels, scores on only some sequences and a non-empty directory', async () => {
    const ok = { name: 'x', classes: ['a', 'b'], layout: LAYOUT, splits: {} };
    await expect(writeSkeletonDataset(join(root, 'e1'), [sequence(1, 2, 2, 0, 0, false), sequence(2, 2, 2, 0, 0, false)], ok)).rejects.toThrow(
      'sequences[1].persons: expected 1 (as sequences[0]), got 2',
    );
    await expect(writeSkeletonDataset(join(root, 'e2'), [sequence(1, 2, 2, 0, 0, true), sequence(1, 2, 2, 0, 0, false)], ok)).rejects.toThrow(
      'sequences[1].score: expected scores (sequences[0] has them), got "none"',
    );
    const unlabelled = { ...sequence(1, 2, 2, 0, 0, false), label: undefined };
    await expect(writeSkeletonDataset(join(root, 'e3'), [unlabelled], ok)).rejects.toThrow(
      'sequences[0].label: expected a class index in [0, 1], got undefined',
    );
    await expect(writeSkeletonDataset(join(root, 'e4'), [sequence(1, 2, 2, 5, 0, false)], ok)).rejects.toThrow(
      'sequences[0].label: expected an integer >= 0 < 2, got 5',
    );
    const dir = join(root, 'full');
    await writeSkeletonDataset(dir, [sequence(1, 2, 2, 0, 0, false)], ok);
    await expect(writeSkeletonDataset(dir, [sequence(1, 2, 2, 0, 0, false)], ok)).rejects.toThrow(
      /expected an empty or new directory \(or options.overwrite: true\), got 3 entries/,
    );
    await writeSkeletonDataset(dir, [sequence(1, 2, 2, 1, 0, false)], { ...ok, overwrite: true });
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).samples[0].label).toBe(1);
  });
});

describe('dataset manifest: image sizes and the score file', () => {
  const base = {
    name: 't',
    classes: ['a'],
    joints: { names: ['a', 'b'], edges: [], center_joint: 0 },
    format: { data_file: 'data.f32', dtype: 'float32', byte_order: 'little', num_persons: 1, num_joints: 2, coord_dims: 2 },
    splits: {},
    samples: [{ id: 's', label: 0, frames: 1, frame_offset: 0, byte_offset: 0 }],
  };
  it('checks image_height / image_width (both, positive) and score_file (a plain name other than data_file)', async () => {
    expect(() => parseDatasetManifest({ ...base, samples: [{ ...base.samples[0], image_height: 480 }] })).toThrow(
      'manifest.samples[0]: expected both image_height and image_width, or neither, got {"image_height":480}',
    );
    expect(() => parseDatasetManifest({ ...base, samples: [{ ...base.samples[0], image_height: 0, image_width: 4 }] })).toThrow(
      'manifest.samples[0].image_height: expected a positive number of pixels, got 0',
    );
    expect(() => parseDatasetManifest({ ...base, format: { ...base.format, score_file: '../s.f32' } })).toThrow(
      'manifest.format.score_file: expected a file name without directories, other than data_file, got "../s.f32"',
    );
  });

  it('refuses a score file of the wrong size when the dataset is opened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ske2grid-score-'));
    try {
      await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...base, format: { ...base.format, score_file: 'score.f32' } }));
      await writeFile(join(dir, 'data.f32'), Buffer.alloc(16));
      await writeFile(join(dir, 'score.f32'), Buffer.alloc(4));
      await expect(openSkeletonDataset(dir)).rejects.toThrow(/score.f32: expected 8 bytes \(sum of frames x M x V x 4 over 1 samples\), got 4$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
