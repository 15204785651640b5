import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { openSkeletonDataset } from '../../src/node/datasetDirectory.js';

/** A one-joint, one-coordinate, one-person dataset whose first sample has `frames` frames, then a 2-frame sample. */
function manifest(frames: number) {
  return {
    name: 'huge',
    classes: ['a', 'b'],
    joints: { names: ['root'], edges: [], center_joint: 0 },
    format: { data_file: 'data.f32', dtype: 'float32', byte_order: 'little', num_persons: 1, num_joints: 1, coord_dims: 1 },
    splits: {},
    samples: [
      { id: 'big', label: 0, frames, frame_offset: 0, byte_offset: 0 },
      { id: 'small', label: 1, frames: 2, frame_offset: frames, byte_offset: frames * 4 },
    ],
  };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Ske2GridError);
  return error as Error;
}

describe('openSkeletonDataset against hostile and careless files (sparse files, devices, FIFOs)', () => {
  let root: string;
  let n = 0;
  const dataset = async (frames: number) => {
    const dir = join(root, `d${n++}`);
    await mkdir(dir);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest(frames)));
    await writeFile(join(dir, 'data.f32'), '');
    await truncate(join(dir, 'data.f32'), (frames + 2) * 4); // sparse: nothing is written
    return dir;
  };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ske2grid-hostile-data-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('a sample over 2 GiB whose size matches the manifest: refused with the limit named, the others still read', async () => {
    const frames = 600_000_000; // 2.4 GB of float32
    const data = await openSkeletonDataset(await dataset(frames));
    const error = await rejection(data.get(0));
    expect(error.message).toBe(
      'dataset "huge" sample 0 ("big"): expected at most 1073741824 bytes (LIMITS.maxSampleBytes), got "2400000000 bytes (600000000 frames)"',
    );
    const small = await data.get(1);
    expect(Array.from(small.keypoint)).toEqual([0, 0]);
    await data.close();
  });

  it('a sample of 1 GiB + 4 bytes is refused', async () => {
    const data = await openSkeletonDataset(await dataset(2 ** 28 + 1));
    expect((await rejection(data.get(0))).message).toMatch(/expected at most 1073741824 bytes \(LIMITS\.maxSampleBytes\), got "1073741828 bytes/);
    await data.close();
  });

  it('a data file that is a symbolic link to /dev/zero, or a FIFO: refused without reading or blocking', async () => {
    const linked = await dataset(4);
    await rm(join(linked, 'data.f32'));
    await symlink('/dev/zero', join(linked, 'data.f32'));
    expect((await rejection(openSkeletonDataset(linked))).message).toMatch(/data\.f32: expected a regular file, got a character device/);
    const fifo = await dataset(4);
    await rm(join(fifo, 'data.f32'));
    execFileSync('mkfifo', [join(fifo, 'data.f32')]);
    expect((await rejection(openSkeletonDataset(fifo))).message).toMatch(/data\.f32: expected a regular file, got a FIFO \(named pipe\)/);
    expect((await rejection(openSkeletonDataset(fifo, { verifyChecksums: true }))).message).toMatch(/SHA256SUMS: expected a readable file, got ENOENT/);
    await writeFile(join(fifo, 'SHA256SUMS'), `${'0'.repeat(64)}  data.f32\n`);
    expect((await rejection(openSkeletonDataset(fifo, { verifyChecksums: true }))).message).toMatch(/entry "data\.f32": expected a regular file, got a FIFO/);
  });

  it('a manifest.json over 256 MiB (sparse) or a FIFO: refused before reading', async () => {
    const big = await dataset(4);
    await truncate(join(big, 'manifest.json'), 300e6);
    expect((await rejection(openSkeletonDataset(big))).message).toMatch(
      /manifest\.json: expected at most 268435456 bytes \(LIMITS\.maxManifestBytes\), got 300000000 bytes/,
    );
    await rm(join(big, 'manifest.json'));
    execFileSync('mkfifo', [join(big, 'manifest.json')]);
    expect((await rejection(openSkeletonDataset(big))).message).toMatch(/manifest\.json: expected a regular file, got a FIFO/);
  });
});
