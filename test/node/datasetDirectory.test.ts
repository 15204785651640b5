import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSplit, parseDatasetManifest } from '../../src/data/readers/datasetManifest.js';
import { checkSequence, keypointIndex } from '../../src/data/skeletonSequence.js';
import { Ske2GridError } from '../../src/errors.js';
import { openSkeletonDataset, parseSha256Sums } from '../../src/node/datasetDirectory.js';

/** A tiny dataset: M=2, V=3, C=2, samples of 2, 1 and 3 frames; file value i = i + 0.25. */
const MANIFEST = {
  name: 'tiny',
  classes: ['a', 'b', 'c'],
  joints: {
    names: ['root', 'left', 'right'],
    edges: [
      [1, 0],
      [2, 0],
    ],
    center_joint: 1,
  },
  format: { data_file: 'data.f32', dtype: 'float32', byte_order: 'little', num_persons: 2, num_joints: 3, coord_dims: 2 },
  splits: { holdout: { train: [0, 1], test: [2] } },
  samples: [
    { id: 's0', label: 2, frames: 2, frame_offset: 0, byte_offset: 0 },
    { id: 's1', label: 0, frames: 1, frame_offset: 2, byte_offset: 96 },
    { id: 's2', label: 1, frames: 3, frame_offset: 3, byte_offset: 144 },
  ],
};
const VALUES = 72;

function dataBytes(values: number): Buffer {
  const b = Buffer.alloc(values * 4);
  for (let i = 0; i < values; i++) b.writeFloatLE(i + 0.25, i * 4);
  return b;
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Awaits `p` and returns the Ske2GridError it rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Ske2GridError);
  return error as Error;
}

describe('openSkeletonDataset (a tiny dataset in a temp dir)', () => {
  let root: string;
  let n = 0;
  /** Writes a fresh copy of the tiny dataset (optionally with other data bytes / checksum text) and returns its dir. */
  const writeDataset = async (data = dataBytes(VALUES), sums: string | null = `${sha256(dataBytes(VALUES))}  data.f32\n`) => {
    const dir = join(root, `d${n++}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(MANIFEST));
    await writeFile(join(dir, 'data.f32'), data);
    if (sums !== null) await writeFile(join(dir, 'SHA256SUMS'), sums);
    return dir;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ske2grid-dataset-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('opens the directory: manifest, layout, size; get(i) transposes to [M][T][V][C]', async () => {
    const ds = await openSkeletonDataset(await writeDataset());
    expect(ds.size).toBe(3);
    expect(ds.manifest.classes).toEqual(['a', 'b', 'c']);
    expect(ds.layout).toMatchObject({ name: 'tiny', joints: ['root', 'left', 'right'], center: 1 });
    const s0 = await ds.get(0);
    expect(s0).toMatchObject({ persons: 2, frames: 2, joints: 3, dims: 2, label: 2, id: 's0' });
    // person 0: frames 0, 1 = file values 0..5, 12..17; person 1: 6..11, 18..23 (each + 0.25)
    const expected = [0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17, 6, 7, 8, 9, 10, 11, 18, 19, 20, 21, 22, 23].map((v) => v + 0.25);
    expect(Array.from(s0.keypoint)).toEqual(expected);
    const s1 = await ds.get(1);
    expect(Array.from(s1.keypoint)).toEqual(Array.from({ length: 12 }, (_, i) => 24.25 + i));
    expect((await ds.readAll()).map((s) => s.id)).toEqual(['s0', 's1', 's2']);
    const picked = await ds.readAll([2, 0]);
    expect(picked.map((s) => [s.id, s.frames, s.label])).toEqual([
      ['s2', 3, 1],
      ['s0', 2, 2],
    ]);
    expect(picked[0].keypoint[keypointIndex(picked[0], 1, 2, 0, 1)]).toBe(36 + (2 * 2 + 1) * 6 + 1 + 0.25);
    await ds.close();
  });

  it("reads only the requested sample's bytes (a NaN in sample 0 does not affect sample 2)", async () => {
    const data = dataBytes(VALUES);
    data.writeFloatLE(NaN, 7 * 4); // sample 0, frame 0, person 1, joint 0, coord 1
    const ds = await openSkeletonDataset(await writeDataset(data));
    expect((await ds.get(2)).id).toBe('s2');
    const error = await rejection(ds.get(0));
    expect(error.message).toBe('sample "s0" (manifest.samples[0]): value NaN at [frame 0, person 1, joint 0, coord 1]; expected finite numbers');
    await ds.close();
  });

  it('rejects bad indices and reads after close; close twice is fine', async () => {
    const ds = await openSkeletonDataset(await writeDataset());
    expect((await rejection(ds.get(3))).message).toBe('index: expected a sample index in [0, 2], got 3');
    expect((await rejection(ds.get(-1))).message).toMatch(/^index: expected a sample index in \[0, 2\], got -1/);
    expect((await rejection(ds.readAll([0, 1.5]))).message).toMatch(/got 1\.5/);
    await ds.close();
    await ds.close();
    expect((await rejection(ds.get(0))).message).toBe('dataset "tiny": get(0) after close()');
  });

  it('rejects a truncated or oversized data file up front', async () => {
    const short = await writeDataset();
    await truncate(join(short, 'data.f32'), 284);
    expect((await rejection(openSkeletonDataset(short))).message).toBe(
      `${join(short, 'data.f32')}: expected 288 bytes (sum of frames x M x V x C x 4 over 3 samples), got 284 (truncated?)`,
    );
    const long = await writeDataset(dataBytes(VALUES + 1));
    expect((await rejection(openSkeletonDataset(long))).message).toMatch(/expected 288 bytes .* got 292$/);
  });

  it('rejects a missing or invalid manifest and a missing data file', async () => {
    expect((await rejection(openSkeletonDataset(join(root, 'nowhere')))).message).toMatch(
      /^dataset dir ".*nowhere": manifest\.json: expected a readable file, got ENOENT/,
    );
    const broken = await writeDataset();
    await writeFile(join(broken, 'manifest.json'), '{"name": ');
    expect((await rejection(openSkeletonDataset(broken))).message).toMatch(/manifest\.json: expected valid JSON/);
    const invalid = await writeDataset();
    await writeFile(join(invalid, 'manifest.json'), JSON.stringify({ ...MANIFEST, classes: ['a'] }));
    expect((await rejection(openSkeletonDataset(invalid))).message).toMatch(/^manifest\.samples\[0\]\.label: expected a class index in \[0, 0\]/);
    const noData = await writeDataset();
    await rm(join(noData, 'data.f32'));
    expect((await rejection(openSkeletonDataset(noData))).message).toMatch(/data\.f32: expected a readable file, got ENOENT/);
    expect((await rejection(openSkeletonDataset(''))).message).toBe('dir: expected a dataset directory path, got ""');
    const ok = await writeDataset();
    expect((await rejection(openSkeletonDataset(ok, { verifyChecksums: 'yes' as unknown as boolean }))).message).toBe(
      'options.verifyChecksums: expected a boolean, got "yes"',
    );
  });

  it('verifies SHA256SUMS when asked: a match opens, a mismatch or a missing list fails', async () => {
    const good = await writeDataset();
    const ds = await openSkeletonDataset(good, { verifyChecksums: true });
    expect(ds.size).toBe(3);
    await ds.close();

    const data = dataBytes(VALUES);
    data.writeFloatLE(1000, 40);
    const bad = await writeDataset(data);
    // the size is right, so without verification it opens
    await (await openSkeletonDataset(bad)).close();
    expect((await rejection(openSkeletonDataset(bad, { verifyChecksums: true }))).message).toBe(
      `${join(bad, 'data.f32')}: expected SHA-256 ${sha256(dataBytes(VALUES))} (from SHA256SUMS), got ${sha256(data)}`,
    );

    const missing = await writeDataset(undefined, null);
    expect((await rejection(openSkeletonDataset(missing, { verifyChecksums: true }))).message).toMatch(
      /^verifyChecksums: .*SHA256SUMS: expected a readable file, got ENOENT/,
    );
    const other = await writeDataset(undefined, `${sha256(Buffer.from('x'))}  other.bin\n`);
    expect((await rejection(openSkeletonDataset(other, { verifyChecksums: true }))).message).toMatch(
      /SHA256SUMS: expected an entry for data\.f32, got \["other\.bin"\]/,
    );
    const manifestListed = await writeDataset(undefined, `${sha256(dataBytes(VALUES))}  data.f32\n${'0'.repeat(64)} *manifest.json\n`);
    expect((await rejection(openSkeletonDataset(manifestListed, { verifyChecksums: true }))).message).toMatch(
      /manifest\.json: expected SHA-256 0{64} \(from SHA256SUMS\), got [0-9a-f]{64}$/,
    );
  });

  it('parseSha256Sums reads sha256sum lines (text and binary markers) and rejects others', () => {
    const a = 'A'.repeat(64),
      b = 'b'.repeat(64);
    expect([...parseSha256Sums(`${a}  data.f32\n${b} *manifest.json\n\n`)]).toEqual([
      ['data.f32', 'a'.repeat(64)],
      ['manifest.json', b],
    ]);
    expect(() => parseSha256Sums(`${a}  x\nnot a line\n`)).toThrow('SHA256SUMS line 2: expected "<64 hex digits>  <file name>", got "not a line"');
  });
});

const DATASETS = resolve(process.cwd(), '../shared/datasets');
const has = (name: string) => existsSync(join(DATASETS, name, 'manifest.json'));
const rawManifest = (name: string) => JSON.parse(readFileSync(join(DATASETS, name, 'manifest.json'), 'utf8'));

/** Value (t, p, v, c) of sample `entry` read directly from the data file's bytes (frame-major). */
async function rawValue(name: string, manifest: any, entry: any, t: number, p: number, v: number, c: number): Promise<number> {
  const { num_persons: m, num_joints: nv, coord_dims: nc } = manifest.format;
  const handle = await open(join(DATASETS, name, 'data.f32'), 'r');
  try {
    const buf = Buffer.alloc(4);
    await handle.read(buf, 0, 4, entry.byte_offset + (((t * m + p) * nv + v) * nc + c) * 4);
    return buf.readFloatLE(0);
  } finally {
    await handle.close();
  }
}

describe('real datasets in ../shared/datasets', () => {
  it.skipIf(!has('utkinect'))('utkinect (needs ../shared/datasets/utkinect): checksums, size, first sample, all values finite', async () => {
    const raw = rawManifest('utkinect');
    const ds = await openSkeletonDataset(join(DATASETS, 'utkinect'), { verifyChecksums: true });
    try {
      expect(ds.size).toBe(199);
      expect(ds.layout.joints).toHaveLength(20);
      const first = await ds.get(0);
      expect(first).toMatchObject({ persons: 1, frames: raw.samples[0].frames, joints: 20, dims: 3, label: raw.samples[0].label, id: raw.samples[0].id });
      for (const [t, v, c] of [
        [0, 0, 0],
        [7, 3, 1],
        [first.frames - 1, 19, 2],
      ]) {
        expect(first.keypoint[keypointIndex(first, 0, t, v, c)]).toBe(await rawValue('utkinect', raw, raw.samples[0], t, 0, v, c));
      }
      const all = await ds.readAll();
      expect(all.map((s) => s.frames).reduce((a, b) => a + b, 0)).toBe(raw.format.total_frames);
      all.forEach((s, i) => checkSequence(s, `utkinect[${i}]`, raw.classes.length));
      expect(datasetSplit(ds.manifest, 'cross_subject_odd_even').test).toHaveLength(99);
    } finally {
      await ds.close();
    }
  });

  it.skipIf(!has('nw_ucla'))('nw_ucla (needs ../shared/datasets/nw_ucla): size, first sample, the 1-frame samples, all values finite', async () => {
    const raw = rawManifest('nw_ucla');
    const ds = await openSkeletonDataset(join(DATASETS, 'nw_ucla'));
    try {
      expect(ds.size).toBe(1484);
      const first = await ds.get(0);
      expect(first).toMatchObject({ frames: raw.samples[0].frames, label: raw.samples[0].label, id: raw.samples[0].id });
      const oneFrame = raw.samples
        .map((s: any, i: number) => [s.frames, i])
        .filter(([f]: number[]) => f === 1)
        .map(([, i]: number[]) => i);
      expect(oneFrame).toEqual([286, 287]);
      for (const i of oneFrame) {
        const s = await ds.get(i);
        expect(s).toMatchObject({ frames: 1, persons: 1, joints: 20, dims: 3, id: raw.samples[i].id, label: raw.samples[i].label });
        expect(s.keypoint).toHaveLength(60);
        expect(s.keypoint[keypointIndex(s, 0, 0, 4, 1)]).toBe(await rawValue('nw_ucla', raw, raw.samples[i], 0, 0, 4, 1));
      }
      const all = await ds.readAll();
      all.forEach((s, i) => checkSequence(s, `nw_ucla[${i}]`, 10));
      expect(datasetSplit(ds.manifest, 'cross_view')).toMatchObject({ train: { length: 1020 }, test: { length: 464 } });
    } finally {
      await ds.close();
    }
  });

  it.skipIf(!has('sbu'))('sbu (needs ../shared/datasets/sbu): two persons transposed against the raw bytes, 5 folds', async () => {
    const raw = rawManifest('sbu');
    const ds = await openSkeletonDataset(join(DATASETS, 'sbu'));
    try {
      const s = await ds.get(1);
      expect(s).toMatchObject({ persons: 2, frames: raw.samples[1].frames, joints: 15, dims: 3 });
      for (const [t, p, v, c] of [
        [0, 1, 0, 0],
        [3, 0, 14, 2],
        [s.frames - 1, 1, 8, 1],
      ]) {
        expect(s.keypoint[keypointIndex(s, p, t, v, c)]).toBe(await rawValue('sbu', raw, raw.samples[1], t, p, v, c));
      }
      const sizes = [0, 1, 2, 3, 4].map((k) => datasetSplit(ds.manifest, 'five_fold_cv', k)).map((f) => [f.train.length, f.test.length]);
      expect(sizes).toEqual([
        [227, 55],
        [230, 52],
        [226, 56],
        [228, 54],
        [217, 65],
      ]);
    } finally {
      await ds.close();
    }
  });

  it.skipIf(!has('msr_action3d') || !has('jhmdb_partial14'))(
    'msr_action3d and jhmdb_partial14 manifests (need ../shared/datasets/...) parse with their protocols',
    async () => {
      const msr = parseDatasetManifest(JSON.parse(await readFile(join(DATASETS, 'msr_action3d', 'manifest.json'), 'utf8')));
      expect(datasetSplit(msr, 'cross_subject_557')).toMatchObject({ train: { length: 284 }, test: { length: 273 } });
      expect(datasetSplit(msr, 'vemulapalli2014_random_subject_splits', 9).test).toHaveLength(272);
      const jhmdb = parseDatasetManifest(JSON.parse(await readFile(join(DATASETS, 'jhmdb_partial14', 'manifest.json'), 'utf8')));
      expect(datasetSplit(jhmdb, 'split3')).toMatchObject({ train: { length: 434 }, test: { length: 175 } });
      expect(() => datasetSplit(jhmdb, 'split4')).toThrow('protocol: expected one of "split1", "split2", "split3" (dataset "jhmdb_partial14"), got "split4"');
    },
  );
});
