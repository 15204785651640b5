import { cp, mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { fileSystem, loadModel, saveModel, type CheckpointJSON } from '../../src/node/fileIO.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';
import { expectFaithfulCopy } from '../helpers/roundTrip.js';
import { rehashed } from '../helpers/checkpoints.js';

/** A custom permutation of the 25 cells of the 5x5 grid (checked to differ from the initial one). */
const CUSTOM = Array.from({ length: 25 }, (_, i) => (i + 7) % 25);

describe('fileSystem IO handler (Node, no tfjs-node)', () => {
  let root: string;
  let saved: string; // a checkpoint of `model`, copied by the corruption tests
  let model: tfl.LayersModel;
  let x: tf.Tensor;
  let baseline: number;

  /** A fresh copy of the saved checkpoint, to damage. */
  const copy = async (name: string) => {
    const dir = join(root, name);
    await cp(saved, dir, { recursive: true });
    return dir;
  };
  /** Loading `dir` rejects with a Ske2GridError matching `pattern`, and creates no tensor. */
  const rejects = async (dir: string, pattern: RegExp) => {
    const before = tf.memory().numTensors;
    const error = await loadModel(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Ske2GridError);
    expect((error as Error).message).toMatch(pattern);
    expect(tf.memory().numTensors).toBe(before);
  };

  beforeAll(async () => {
    await useBackend('cpu');
    baseline = tf.memory().numTensors;
    root = await mkdtemp(join(tmpdir(), 'ske2grid-fileio-'));
    saved = join(root, 'saved', 'nested');
    model = buildSke2Grid(TINY);
    const git = model.getLayer('git_stage0') as GridIndexTransform;
    expect(git.getPermutation()).not.toEqual(CUSTOM);
    git.setPermutation(CUSTOM);
    x = tf.tidy(() => tf.reshape(tf.sin(tf.range(0, 2 * 2 * 8 * 17 * 3)), [2, 2, 8, 17, 3]));
    await saveModel(model, saved);
  });

  afterAll(async () => {
    tf.dispose(x);
    model?.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    await rm(root, { recursive: true, force: true });
  });

  it('writes model.json and weights.bin only, with metadata and integrity kept apart', async () => {
    expect((await readdir(saved)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(saved, 'model.json'), 'utf8')) as CheckpointJSON;
    const weights = await readFile(join(saved, 'weights.bin'));
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/TensorFlow\.js/);
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w) => w.name)).toContain('git_stage0/permutation');
    expect(json.integrity.weightsBytes).toBe(weights.byteLength);
    expect(json.integrity.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(json.userDefinedMetadata ?? {})).toEqual(['ske2grid']);
  });

  it('round trip: same predictions, GIT permutation and config metadata, through tf.loadLayersModel too', async () => {
    for (const loaded of [await loadModel(saved), await tfl.loadLayersModel(fileSystem(saved))]) {
      expectFaithfulCopy(model, loaded, 'git_stage0', CUSTOM);
      expect(loaded.getWeights().length).toBe(model.getWeights().length);
      loaded.dispose();
    }
  });

  it('overwrites an existing checkpoint atomically, leaving no temporary files', async () => {
    const dir = await copy('overwrite');
    const other = buildSke2Grid(TINY);
    await saveModel(other, dir);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadModel(dir);
    const [a, b] = [other.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
    tf.dispose([a, b]);
    other.dispose();
    loaded.dispose();
  });

  it('a save that fails part-way leaves no temporary file behind', async () => {
    const dir = join(root, 'blocked');
    await mkdir(join(dir, 'model.json', 'occupied'), { recursive: true }); // the final rename of model.json fails
    await expect(saveModel(model, dir)).rejects.toThrow();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(loadModel(dir)).rejects.toThrow(/model\.json in .*: expected a regular file, got a directory/);
  });

  it('rejects a truncated weights.bin', async () => {
    const dir = await copy('truncated');
    const size = (await readFile(join(dir, 'weights.bin'))).byteLength;
    await truncate(join(dir, 'weights.bin'), size - 8);
    await rejects(dir, new RegExp(`weights\\.bin in .*: expected ${size} bytes \\(integrity record in model\\.json\\), got ${size - 8} bytes`));
  });

  it('rejects a weights.bin with one flipped byte', async () => {
    const dir = await copy('flipped');
    const bytes = await readFile(join(dir, 'weights.bin'));
    bytes[Math.floor(bytes.byteLength / 2)] ^= 0x40;
    await writeFile(join(dir, 'weights.bin'), bytes);
    await rejects(dir, /weights\.bin in .*: expected SHA-256 [0-9a-f]{64} \(integrity record in model\.json\), got [0-9a-f]{64} \(corrupted\)/);
  });

  it('rejects a weights.bin from another save of the same architecture (crash between the two renames)', async () => {
    const dir = await copy('mixed');
    const other = buildSke2Grid(TINY);
    const otherDir = join(root, 'other');
    await saveModel(other, otherDir);
    other.dispose();
    await cp(join(otherDir, 'weights.bin'), join(dir, 'weights.bin'));
    await rejects(dir, /weights\.bin in .*: expected SHA-256/);
  });

  it('rejects weight specs that do not add up to the file size', async () => {
    const dir = await copy('specs');
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as CheckpointJSON;
    const specs = json.weightsManifest[0].weights;
    const bias = specs.findIndex((w) => w.name === 'classifier/bias');
    expect(specs[bias]).toMatchObject({ shape: [3], dtype: 'float32' });
    specs[bias] = { ...specs[bias], shape: [1] }; // 12 -> 4 bytes
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await rejects(dir, /model\.json in .*: expected SHA-256 [0-9a-f]{64} of its content \(integrity\.modelSha256\), got [0-9a-f]{64} \(edited or corrupted\)/);
    await writeFile(join(dir, 'model.json'), JSON.stringify(rehashed(json)));
    const size = json.integrity.weightsBytes;
    await rejects(
      dir,
      new RegExp(
        `model\\.json in .*: expected the ${specs.length} weight specs to add up to ${size} bytes \\(integrity\\.weightsBytes\\), got ${size - 8} bytes`,
      ),
    );
  });

  it('rejects a corrupt or incomplete model.json', async () => {
    const dir = await copy('badjson');
    const text = await readFile(join(dir, 'model.json'), 'utf8');
    await writeFile(join(dir, 'model.json'), text.slice(0, Math.floor(text.length / 2)));
    await rejects(dir, /model\.json in .*: expected valid JSON, got .+/);

    const json = JSON.parse(text) as Partial<CheckpointJSON>;
    await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, integrity: undefined }));
    await rejects(
      dir,
      /model\.json in .*: integrity: expected \{ weightsBytes: integer >= 0, weightsSha256: 64 hex digits, modelSha256: 64 hex digits \}.*, got "nothing"/,
    );
    await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, modelTopology: undefined }));
    await rejects(dir, /model\.json in .*: modelTopology: expected an object/);
    await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, weightsManifest: [{ paths: ['../elsewhere.bin'], weights: [] }] }));
    await rejects(dir, /model\.json in .*: weightsManifest paths: expected \["weights\.bin"\], got \["\.\.\/elsewhere\.bin"\]/);
    await writeFile(join(dir, 'model.json'), '[]');
    await rejects(dir, /model\.json in .*: content: expected a JSON object, got "an array"/);
  });

  it('rejects a missing directory, model.json or weights.bin', async () => {
    await rejects(join(root, 'does-not-exist'), /checkpoint dir ".*does-not-exist": expected an existing directory, got ENOENT/);
    const noJson = await copy('nojson');
    await rm(join(noJson, 'model.json'));
    await rejects(noJson, /model\.json in ".*nojson": expected a readable file, got ENOENT/);
    const noBin = await copy('nobin');
    await rm(join(noBin, 'weights.bin'));
    await rejects(noBin, /weights\.bin in ".*nobin": expected a readable file, got ENOENT/);
    expect(() => fileSystem('')).toThrow(/fileSystem dir: expected a non-empty directory path, got ""/);
  });

  it('saves into an empty directory and a fresh one equally', async () => {
    const fresh = join(root, 'a', 'b', 'c');
    await saveModel(model, fresh);
    const loaded = await loadModel(fresh);
    expect((loaded.getLayer('git_stage0') as GridIndexTransform).getPermutation()).toEqual(CUSTOM);
    loaded.dispose();
  });
});
