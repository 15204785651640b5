import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatasetManifest } from '../../src/data/readers/datasetManifest.js';
import { readPysklAnnotations } from '../../src/data/readers/pysklAnnotations.js';
import { Ske2GridError } from '../../src/errors.js';
import { exportOfficialStateDict, loadOfficialWeights, type StateDictTensor } from '../../src/interop/officialWeights.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { resolveConfig } from '../../src/model/config.js';
import { loadModel, saveModel, type CheckpointJSON } from '../../src/node/fileIO.js';
import { createRandom, type Random } from '../../src/random/random.js';
import { useBackend } from '../helpers/backends.js';
import { rehashed } from '../helpers/checkpoints.js';
import { TINY } from '../helpers/tiny.js';
import { dict, dumps, type NdSpec } from '../pickle/pickleBuilder.js';

/**
 * Seeded fuzzing of the inputs a user or a file can hand the library: configs, state dicts, dataset
 * manifests, PYSKL pickles and checkpoints. Each case must either succeed or throw a Ske2GridError;
 * any other exception fails. Every family runs a few hundred cases in about a second (the budget per
 * case is checked as a whole per family, far above the time it takes, to catch a runaway case).
 */

const WEIRD: unknown[] = [
  0,
  -1,
  1,
  2,
  3,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  1e9,
  1e39,
  -1e39,
  2 ** 31,
  2 ** 53,
  '',
  '5',
  'coco',
  null,
  undefined,
  true,
  [],
  [5],
  [5, 5],
  [1e4, 1e4],
  {},
  { filters: 4, stride: 1 },
  [{ filters: 1e6, stride: 1 }],
];

function pickOne<T>(rng: Random, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

/** Runs `body`; returns 'ok' or 'error' and rethrows anything that is not a Ske2GridError. */
function outcome(label: string, body: () => unknown): 'ok' | 'error' {
  try {
    body();
    return 'ok';
  } catch (e) {
    if (!(e instanceof Ske2GridError)) throw new Error(`${label}: ${String(e)} is not a Ske2GridError`);
    return 'error';
  }
}

async function outcomeAsync(label: string, body: () => Promise<unknown>): Promise<'ok' | 'error'> {
  try {
    await body();
    return 'ok';
  } catch (e) {
    if (!(e instanceof Ske2GridError)) throw new Error(`${label}: ${String(e)} is not a Ske2GridError`);
    return 'error';
  }
}

/** A deep copy of plain JSON data with one randomly chosen leaf or key replaced by a weird value, or removed. */
function mutateJson(value: unknown, rng: Random): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(copy, []);
  const path = pickOne(rng, paths.slice(1));
  let parent = copy as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (rng.uniform() < 0.2 && !Array.isArray(parent)) delete parent[last];
  else parent[last] = pickOne(rng, WEIRD);
  return copy;
}

beforeAll(() => useBackend('cpu'));

describe('fuzz: configs', () => {
  it('300 random configs: resolved or refused with a Ske2GridError, none builds anything large', () => {
    const rng = createRandom(14);
    const fields = [
      'layout',
      'gridShape',
      'stages',
      'inChannels',
      'persons',
      'frames',
      'numClasses',
      'blocks',
      'dropout',
      'batchNormEpsilon',
      'seed',
      'name',
      'unknownField',
    ];
    const counts = { ok: 0, error: 0 };
    const start = Date.now();
    for (let k = 0; k < 300; k++) {
      const config: Record<string, unknown> = {};
      for (let f = 0; f < 1 + rng.int(3); f++) config[pickOne(rng, fields)] = pickOne(rng, WEIRD);
      counts[outcome(`config ${JSON.stringify(config)}`, () => resolveConfig(config))]++;
    }
    expect(counts.error).toBeGreaterThan(150);
    expect(Date.now() - start).toBeLessThan(5000);
  });
});

describe('fuzz: state dicts, PYSKL pickles, dataset manifests, checkpoints', () => {
  let model: tfl.LayersModel;
  let source: Record<string, StateDictTensor>;
  let root: string;
  let saved: string;

  beforeAll(async () => {
    model = buildSke2Grid({ ...TINY, seed: 5 });
    source = exportOfficialStateDict(model);
    root = await mkdtemp(join(tmpdir(), 'ske2grid-fuzz-'));
    saved = join(root, 'saved');
    await saveModel(model, saved);
  });
  afterAll(async () => {
    model.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it('200 mutated state dicts: loaded or refused, and a refused one leaves the model untouched', () => {
    const rng = createRandom(15);
    const keys = Object.keys(source);
    const weights = () => model.weights.map((w) => Array.from(w.read().dataSync()));
    const before = weights();
    const tensors = tf.memory().numTensors;
    let refused = 0;
    for (let k = 0; k < 200; k++) {
      const sd: Record<string, unknown> = Object.fromEntries(keys.map((key) => [key, { shape: [...source[key].shape], data: Array.from(source[key].data) }]));
      const key = pickOne(rng, keys);
      const t = sd[key] as { shape: unknown[]; data: unknown[] };
      switch (rng.int(6)) {
        case 0:
          t.data[rng.int(t.data.length)] = pickOne(rng, WEIRD);
          break;
        case 1:
          t.shape[rng.int(t.shape.length)] = pickOne(rng, WEIRD);
          break;
        case 2:
          delete sd[key];
          break;
        case 3:
          sd[`module.${key}`] = sd[key];
          break;
        case 4:
          sd[key] = pickOne(rng, WEIRD);
          break;
        default:
          t.data.pop();
      }
      if (outcome(`state dict case ${k}`, () => loadOfficialWeights(model, sd as never)) === 'error') {
        refused++;
        expect(weights()).toEqual(before);
      } else {
        loadOfficialWeights(model, source); // back to the original
      }
    }
    expect(refused).toBeGreaterThan(100);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('300 damaged PYSKL pickles (bit flips, truncations): read or refused', () => {
    const rng = createRandom(16);
    const ann = (i: number, frames: number) => {
      const keypoint: NdSpec = { nd: 'f4', shape: [1, frames, 2, 2], values: Array.from({ length: frames * 4 }, (_, j) => j / 7) };
      const score: NdSpec = { nd: 'f2', shape: [1, frames, 2], values: new Array(frames * 2).fill(0.5) };
      return dict({ frame_dir: `c${i}`, label: i % 3, total_frames: frames, img_shape: { tuple: [480, 640] }, keypoint, keypoint_score: score });
    };
    const bytes = dumps(dict({ split: dict({ train: ['c0', 'c1'] }), annotations: [ann(0, 3), ann(1, 2), ann(2, 4)] }));
    expect(readPysklAnnotations(bytes).annotations).toHaveLength(3);
    const start = Date.now();
    for (let k = 0; k < 300; k++) {
      let b = bytes.slice();
      if (k % 3 === 0) b = b.subarray(0, rng.int(b.length));
      else for (let f = 0; f < 1 + rng.int(4); f++) b[rng.int(b.length)] ^= 1 << rng.int(8);
      outcome(`pickle case ${k}`, () => readPysklAnnotations(b, { numClasses: 3, split: k % 2 === 0 ? 'train' : undefined }));
    }
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it('300 mutated dataset manifests: parsed or refused', () => {
    const rng = createRandom(17);
    const manifest = {
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
    expect(outcome('original manifest', () => parseDatasetManifest(manifest))).toBe('ok');
    let refused = 0;
    for (let k = 0; k < 300; k++) {
      const m = mutateJson(manifest, rng);
      if (outcome(`manifest case ${k}`, () => parseDatasetManifest(m)) === 'error') refused++;
    }
    expect(refused).toBeGreaterThan(150);
  });

  it('60 mutated checkpoints (model.json fields, rehashed or not; weights.bin bytes): loaded or refused, nothing leaks', async () => {
    const rng = createRandom(18);
    const json = JSON.parse(await readFile(join(saved, 'model.json'), 'utf8')) as CheckpointJSON;
    const weights = await readFile(join(saved, 'weights.bin'));
    const tensors = tf.memory().numTensors;
    const variables = Object.keys(tf.engine().registeredVariables).length;
    let refused = 0;
    for (let k = 0; k < 60; k++) {
      const dir = join(root, `case${k}`);
      await cp(saved, dir, { recursive: true });
      if (k % 4 === 3) {
        const b = Buffer.from(weights);
        if (rng.uniform() < 0.5) b[rng.int(b.length)] ^= 1 << rng.int(8);
        await writeFile(join(dir, 'weights.bin'), rng.uniform() < 0.5 ? b : b.subarray(0, rng.int(b.length)));
      } else {
        const m = mutateJson(json, rng) as CheckpointJSON;
        const rehash = k % 2 === 0 && m !== null && typeof m === 'object' && m.integrity !== null && typeof m.integrity === 'object';
        await writeFile(join(dir, 'model.json'), JSON.stringify(rehash ? rehashed(m) : m));
      }
      let loaded: tfl.LayersModel | undefined;
      const result = await outcomeAsync(`checkpoint case ${k}`, async () => {
        loaded = await loadModel(dir);
      });
      loaded?.dispose();
      if (result === 'error') refused++;
      await rm(dir, { recursive: true });
    }
    expect(refused).toBeGreaterThan(30);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Object.keys(tf.engine().registeredVariables).length).toBe(variables);
  });
});
