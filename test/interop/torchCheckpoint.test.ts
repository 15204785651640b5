import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { stateDictOf } from '../../src/interop/checkpointStateDict.js';
import { configFromStateDict } from '../../src/interop/configFromStateDict.js';
import { officialTorchStateDict } from '../../src/interop/officialTorchStateDict.js';
import { exportOfficialStateDict, loadOfficialWeights } from '../../src/interop/officialWeights.js';
import { maxRelative } from '../../src/interop/parityChecks.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { readParityFixture } from '../../src/node/readParityFixture.js';
import { readTorchCheckpoint, type TorchValue } from '../../src/torch/readTorchCheckpoint.js';
import { TorchTensor } from '../../src/torch/torchTensor.js';
import { writeTorchCheckpoint } from '../../src/torch/writeTorchCheckpoint.js';
import { SHARED, useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';
import { hasTorchFixtures, torchFixture } from '../torch/torchFixtures.js';

beforeAll(() => useBackend('cpu'));

describe.skipIf(!hasTorchFixtures)('official checkpoints read from .pth (needs ../shared/fixtures/torch and ../shared/fixtures/parity)', () => {
  let checkpoint: TorchValue;
  beforeAll(() => {
    checkpoint = readTorchCheckpoint(torchFixture('d5_t12_mmcv.pth'));
  });

  it('configFromStateDict infers the d5_t12 model from the tensors and the mmcv meta', () => {
    expect(configFromStateDict(checkpoint)).toEqual({
      layout: 'coco',
      gridShape: [5, 5],
      stages: [17],
      inChannels: 3,
      persons: 2,
      frames: null,
      numClasses: 5,
    });
    expect(configFromStateDict(checkpoint, { frames: 12, persons: 1 })).toMatchObject({ frames: 12, persons: 1 });
  });

  it("d5_t12_mmcv.pth reproduces the parity fixture d5_t12's eval logits, with no tensor leak", () => {
    const fixture = readParityFixture(`${SHARED}fixtures/parity/d5_t12`);
    const model = buildSke2Grid(configFromStateDict(checkpoint));
    const before = tf.memory().numTensors;
    const report = loadOfficialWeights(model, checkpoint);
    expect(report.loaded).toHaveLength(180);
    expect(report.permutations[0]).toEqual(fixture.manifest.index_sel.stage0);
    const x = fixture.tensor('input.x');
    const logits = model.predict(x) as tf.Tensor;
    const expected = fixture.tensor('eval.logits');
    expect(logits.shape).toEqual(expected.shape);
    expect(maxRelative(logits, expected)).toBeLessThan(1e-5);
    tf.dispose([x, logits, expected]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('officialTorchStateDict gives back the checkpoint: same keys, shapes, dtypes and values (bar the BatchNorm counters)', () => {
    const model = buildSke2Grid(configFromStateDict(checkpoint));
    loadOfficialWeights(model, checkpoint);
    const ours = officialTorchStateDict(model);
    const theirs = stateDictOf(checkpoint);
    expect(Object.keys(ours).sort()).toEqual([...theirs.keys()].sort());
    for (const [key, t] of theirs) {
      const mine = ours[key];
      expect([key, [...mine.shape], mine.dtype]).toEqual([key, t.shape, (t as TorchTensor).dtype]);
      if (key.endsWith('num_batches_tracked')) continue;
      let differing = 0;
      for (let i = 0; i < t.data.length; i++) if ((mine.data as ArrayLike<number>)[i] !== t.data[i]) differing++;
      expect([key, mine.data.length, differing]).toEqual([key, t.data.length, 0]);
    }
    model.dispose();
  });

  it('a DistributedDataParallel state dict: the module. prefix is removed', () => {
    const sd = stateDictOf(readTorchCheckpoint(torchFixture('d5_t12_ddp_subset.pth')));
    expect([...sd.keys()].every((k) => k.startsWith('backbone.data_bn.') || k.startsWith('cls_head.'))).toBe(true);
    expect(sd.get('cls_head.fc.weight')?.shape).toEqual([5, 256, 1, 1, 1]);
    expect(Array.from(sd.get('cls_head.fc.bias')!.data)).toEqual(Array.from(stateDictOf(checkpoint).get('cls_head.fc.bias')!.data));
  });
});

describe('configFromStateDict and loadOfficialWeights on checkpoints written here', () => {
  it('infers a non-reference channel plan, a 6x6 grid and a layout by joint count; round-trips through a .pth', () => {
    const source = buildSke2Grid({ ...TINY, layout: 'ntu25', gridShape: [6, 6], stages: [25], numClasses: 4 });
    const bytes = writeTorchCheckpoint(officialTorchStateDict(source), { layout: 'bare' });
    const checkpoint = readTorchCheckpoint(bytes);
    const config = configFromStateDict(checkpoint, { frames: 8 });
    expect(config).toEqual({ layout: 'ntu25', gridShape: [6, 6], stages: [25], inChannels: 3, persons: 2, frames: 8, numClasses: 4, blocks: TINY.blocks });
    const target = buildSke2Grid(config);
    loadOfficialWeights(target, checkpoint);
    const a = exportOfficialStateDict(source);
    const b = exportOfficialStateDict(target);
    for (const key of Object.keys(a)) expect([key, Array.from(b[key].data)]).toEqual([key, Array.from(a[key].data)]);
    source.dispose();
    target.dispose();
  });

  it('needs a layout for an unknown joint count, and names what is missing from a foreign state dict', () => {
    const source = buildSke2Grid({ ...TINY, layout: { name: 'arm', joints: ['a', 'b', 'c', 'd'], edges: [[1, 0]] }, gridShape: [2, 2] });
    const checkpoint = readTorchCheckpoint(writeTorchCheckpoint(officialTorchStateDict(source)));
    expect(() => configFromStateDict(checkpoint)).toThrow(
      'layout: expected a checkpoint of 17, 20, 25 joints or a layout given with it, got 4 joints (pass the layout)',
    );
    expect(configFromStateDict(checkpoint, { layout: 'coco' }).layout).toBe('coco');
    expect(() => configFromStateDict({ 'fc.weight': { shape: [2, 2], data: [1, 2, 3, 4] } })).toThrow(
      "stateDict['backbone.sampling_stages.0']: expected a tensor of an official Ske2Grid model, got nothing (is this a Ske2Grid checkpoint?)",
    );
    expect(() => loadOfficialWeights(source, new Map([['meta', new Map()]]) as TorchValue)).toThrow(
      "stateDict['meta']: expected a tensor {shape, data}, got a dict with keys []",
    );
    source.dispose();
  });
});
