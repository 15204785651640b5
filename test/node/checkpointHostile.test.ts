import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { loadModel, saveModel, type CheckpointJSON } from '../../src/node/fileIO.js';
import { useBackend } from '../helpers/backends.js';
import { rehashed } from '../helpers/checkpoints.js';
import { TINY } from '../helpers/tiny.js';

describe('loadModel / saveModel against hostile and careless checkpoints', () => {
  let root: string;
  let saved: string;
  let model: tfl.LayersModel;
  let n = 0;

  const copy = async () => {
    const dir = join(root, `copy${n++}`);
    await cp(saved, dir, { recursive: true });
    return dir;
  };
  const readJson = async (dir: string) => JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as CheckpointJSON;
  const writeJson = (dir: string, json: unknown) => writeFile(join(dir, 'model.json'), JSON.stringify(json));
  /** Loading rejects with a Ske2GridError matching `pattern`, leaves no tensor and no variable behind. */
  const rejects = async (dir: string, pattern: RegExp) => {
    const tensors = tf.memory().numTensors;
    const variables = Object.keys(tf.engine().registeredVariables).length;
    const error = await loadModel(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Ske2GridError);
    expect((error as Error).message).toMatch(pattern);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Object.keys(tf.engine().registeredVariables).length).toBe(variables);
  };

  beforeAll(async () => {
    await useBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'ske2grid-hostile-ckpt-'));
    saved = join(root, 'saved');
    model = buildSke2Grid({ ...TINY, seed: 3 });
    await saveModel(model, saved);
  });
  afterAll(async () => {
    model?.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it('weights.bin a symbolic link to /dev/zero: refused as a device, nothing read', async () => {
    const dir = await copy();
    await rm(join(dir, 'weights.bin'));
    await symlink('/dev/zero', join(dir, 'weights.bin'));
    await rejects(dir, /weights\.bin in .*: expected a regular file, got a character device/);
  });

  it('model.json a FIFO: refused without blocking', async () => {
    const dir = await copy();
    await rm(join(dir, 'model.json'));
    execFileSync('mkfifo', [join(dir, 'model.json')]);
    await rejects(dir, /model\.json in .*: expected a regular file, got a FIFO \(named pipe\)/);
  });

  it('a 1.5 GB sparse weights.bin: refused by its size before a byte is read', async () => {
    const dir = await copy();
    await truncate(join(dir, 'weights.bin'), 1.5e9);
    await rejects(dir, /weights\.bin in .*: expected at most 536870912 bytes \(LIMITS\.maxWeightsBytes\), got 1500000000 bytes/);
    await truncate(join(dir, 'weights.bin'), 100e6); // within the limit: the recorded size is checked before reading
    const size = (await readJson(dir)).integrity.weightsBytes;
    await rejects(dir, new RegExp(`weights\\.bin in .*: expected ${size} bytes \\(integrity record in model\\.json\\), got 100000000 bytes`));
  });

  it('a 100 MB sparse model.json: refused by its size', async () => {
    const dir = await copy();
    await truncate(join(dir, 'model.json'), 100e6);
    await rejects(dir, /model\.json in .*: expected at most 67108864 bytes \(LIMITS\.maxModelJsonBytes\), got 100000000 bytes/);
  });

  it('model.json edited (prior values, swapped weight names, metadata claiming 6x6 / 99 classes): refused by its SHA-256', async () => {
    const edits: ((j: CheckpointJSON) => void)[] = [
      (j) => {
        const layers = (j.modelTopology as { config: { layers: { config: { prior?: number[][] } }[] } }).config.layers;
        layers.find((l) => l.config.prior)!.config.prior![0][0] = 7;
      },
      (j) => {
        const w = j.weightsManifest[0].weights;
        [w[0].name, w[1].name] = [w[1].name, w[0].name];
      },
      (j) => {
        const meta = (j.userDefinedMetadata as { ske2grid: { gridShape: number[]; numClasses: number } }).ske2grid;
        meta.gridShape = [6, 6];
        meta.numClasses = 99;
      },
    ];
    for (const edit of edits) {
      const dir = await copy();
      const json = await readJson(dir);
      edit(json);
      await writeJson(dir, json);
      await rejects(
        dir,
        /model\.json in .*: expected SHA-256 [0-9a-f]{64} of its content \(integrity\.modelSha256\), got [0-9a-f]{64} \(edited or corrupted\)/,
      );
    }
  });

  it('metadata that contradicts the topology is refused even with a matching hash (6x6 grid, 99 classes)', async () => {
    const cases: [(m: { gridShape: number[]; numClasses: number; stages?: number[] }) => void, RegExp][] = [
      [
        (m) => (m.numClasses = 99),
        /model\.json in .*: modelTopology layer "classifier" units: expected 99 \(numClasses of the config in userDefinedMetadata\.ske2grid\), got 3/,
      ],
      [
        (m) => (m.gridShape = [6, 6]),
        /model\.json in .*: modelTopology layer "upt_stage0" out_nodes: expected 36 \(stage 0 of the config in userDefinedMetadata\.ske2grid\), got 25/,
      ],
      [
        (m) => (m.numClasses = 1e9),
        /model\.json in .*: userDefinedMetadata\.ske2grid: config\.numClasses: expected an integer in \[1, 100000\] \(LIMITS\.maxClasses\), got 1000000000/,
      ],
    ];
    for (const [edit, pattern] of cases) {
      const dir = await copy();
      const json = await readJson(dir);
      edit((json.userDefinedMetadata as { ske2grid: { gridShape: number[]; numClasses: number } }).ske2grid);
      await writeJson(dir, rehashed(json));
      await rejects(dir, pattern);
    }
  });

  it('failed loads (unknown layer, edited shape, dtype, renamed or missing weight) are Ske2GridErrors and dispose what tfjs built', async () => {
    type Layers = { class_name: string; config: Record<string, unknown> }[];
    const layersOf = (j: CheckpointJSON) => (j.modelTopology as { config: { layers: Layers } }).config.layers;
    const cases: [(j: CheckpointJSON) => void, RegExp][] = [
      [
        (j) => (layersOf(j)[7].class_name = 'NoSuchLayer'),
        /modelTopology layer 7 \("block2"\): expected a registered layer class \(import 'ske2grid' first\), got "NoSuchLayer"/,
      ],
      [
        (j) => {
          const w = j.weightsManifest[0].weights.find((s) => s.name === 'block0/spatial_conv_kernel')!;
          w.shape = [4, 3, 3, 3]; // same bytes, wrong shape
        },
        /model\.json in .*: weight spec 4 \(block0\/spatial_conv_kernel\): expected shape \[3, 3, 3, 4\] float32, got \[4, 3, 3, 3\] float32/,
      ],
      [
        (j) => (j.weightsManifest[0].weights.find((s) => s.name === 'classifier/bias')!.dtype = 'int32'),
        /model\.json in .*: weight spec \d+ \(classifier\/bias\): expected shape \[3\] float32, got \[3\] int32/,
      ],
      [
        (j) => (j.weightsManifest[0].weights.find((s) => s.name === 'classifier/bias')!.name = 'classifier/other'),
        /model\.json in .*: weight spec \d+: expected the name of one of the model's \d+ weights, got "classifier\/other"/,
      ],
      [
        (j) => (j.weightsManifest[0].weights.find((s) => s.name === 'classifier/bias')!.name = 'classifier/kernel'),
        /model\.json in .*: weight spec \d+: expected each weight once, got "classifier\/kernel" again/,
      ],
    ];
    for (const [edit, pattern] of cases) {
      const dir = await copy();
      const json = await readJson(dir);
      edit(json);
      await writeJson(dir, rehashed(json));
      await rejects(dir, pattern);
    }
    // A missing weight: its spec and its bytes removed, both hashes recomputed.
    const dir = await copy();
    const json = await readJson(dir);
    const specs = json.weightsManifest[0].weights;
    const last = specs.pop()!;
    const bytes = await readFile(join(dir, 'weights.bin'));
    const cut = bytes.subarray(0, bytes.byteLength - 4 * last.shape.reduce((a, d) => a * d, 1));
    await writeFile(join(dir, 'weights.bin'), cut);
    const { createHash } = await import('node:crypto');
    json.integrity = { ...json.integrity, weightsBytes: cut.byteLength, weightsSha256: createHash('sha256').update(cut).digest('hex') };
    await writeJson(dir, rehashed(json));
    await rejects(
      dir,
      /model\.json in .*: weightsManifest: expected \d+ weight values \(size of the config in userDefinedMetadata\.ske2grid\), got "\d+ values"/,
    );
  });

  it('a checkpoint without modelSha256 (saved before it existed) still loads, with weights.bin verified', async () => {
    const dir = await copy();
    const json = await readJson(dir);
    delete json.integrity.modelSha256;
    await writeJson(dir, json);
    const loaded = await loadModel(dir);
    expect(loaded.countParams()).toBe(model.countParams());
    loaded.dispose();
  });

  it('the next save removes temporary files of a save that was killed (their process is gone)', async () => {
    const dir = await copy();
    const dead = spawnSync('true').pid!; // a process that has exited
    const orphans = [`.weights.bin.${dead}.0123456789ab.tmp`, `.model.json.${dead}.ba9876543210.tmp`];
    const alive = `.weights.bin.${process.ppid}.0123456789ab.tmp`; // a save of a live process: kept
    for (const f of [...orphans, alive]) await writeFile(join(dir, f), 'partial');
    await writeFile(join(dir, 'notes.tmp'), 'not ours'); // other names are never touched
    await saveModel(model, dir);
    expect((await readdir(dir)).sort()).toEqual([alive, 'model.json', 'notes.tmp', 'weights.bin'].sort());
  });
});
