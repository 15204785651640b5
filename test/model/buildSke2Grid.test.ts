import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { resolveConfig } from '../../src/model/config.js';
import { isPermutation } from '../../src/ops/greedyAssignment.js';
import { useBackend } from '../helpers/backends.js';
import { expectFaithfulCopy, saveToMemory } from '../helpers/roundTrip.js';
import { TINY, countParams } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

describe('buildSke2Grid: the official configurations', () => {
  it('5x5 NTU-60 (COCO-17) has the reference trainable parameter count 4,384,764', () => {
    const model = buildSke2Grid();
    expect(countParams(model.trainableWeights)).toBe(4_384_764);
    expect(model.inputs[0].shape).toEqual([null, 2, 100, 17, 3]);
    expect(model.outputs[0].shape).toEqual([null, 60]);
    model.dispose();
  });

  it('6x6 PLS stage [17, 25] has 4,383,714 + 425 + 625 + 900 + 1,296 trainable parameters before freezing', () => {
    const model = buildSke2Grid({ gridShape: [6, 6], stages: [17, 25] });
    expect(countParams(model.trainableWeights)).toBe(4_383_714 + 425 + 625 + 900 + 1296);
    model.dispose();
  });

  it('names layers deterministically and hierarchically', () => {
    const model = buildSke2Grid({ ...TINY, gridShape: [6, 6], stages: [17, 25] });
    expect(model.layers.map((l) => l.name)).toEqual([
      'skeletons',
      'skeleton_norm',
      'upt_stage0',
      'git_stage0',
      'upt_stage1',
      'git_stage1',
      'to_grid',
      'block0',
      'block1',
      'block2',
      'pool',
      'classifier',
    ]);
    const names = model.getLayer('block1').weights.map((w) => w.originalName);
    expect(names).toContain('block1/temporal_conv_kernel');
    expect(names).toContain('block1/residual_bn_moving_variance');
    model.dispose();
  });
});

describe('buildSke2Grid: tiny models', () => {
  it('classifies a random clip to [batch, classes] logits with no tensor leak', () => {
    const before = tf.memory().numTensors;
    const model = buildSke2Grid(TINY);
    const x = tf.randomNormal([3, 2, 8, 17, 3]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([3, 3]);
    tf.dispose([x, y]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts any clip length with frames: null', () => {
    const model = buildSke2Grid({ ...TINY, frames: null });
    for (const t of [1, 5, 33]) {
      const y = tf.tidy(() => (model.predict(tf.randomNormal([1, 2, t, 17, 3])) as tf.Tensor).shape);
      expect(y).toEqual([1, 3]);
    }
    model.dispose();
  });

  it('every GIT stage starts with a permutation', () => {
    const model = buildSke2Grid({ ...TINY, gridShape: [8, 8], stages: [17, 25, 36, 49] });
    const gits = model.layers.filter((l): l is GridIndexTransform => l instanceof GridIndexTransform);
    expect(gits.map((g) => g.nodes)).toEqual([25, 36, 49, 64]);
    for (const g of gits) expect(isPermutation(g.getPermutation(), g.nodes)).toBe(true);
    model.dispose();
  });

  it('works with NTU-25, Kinect-20 and a custom layout', () => {
    const custom = {
      name: 'stick',
      joints: ['a', 'b', 'c', 'd'],
      edges: [
        [0, 1],
        [1, 2],
        [2, 3],
      ] as [number, number][],
    };
    for (const [layout, v] of [
      ['nturgb+d', 25],
      ['kinect20', 20],
      [custom, 4],
    ] as const) {
      const model = buildSke2Grid({ ...TINY, layout, gridShape: v > 16 ? [6, 6] : [3, 3] });
      const shape = tf.tidy(() => (model.predict(tf.randomNormal([1, 2, 8, v, 3])) as tf.Tensor).shape);
      expect(shape).toEqual([1, 3]);
      model.dispose();
    }
  });

  it('saves and loads with its permutation, config metadata and identical logits', async () => {
    const model = buildSke2Grid(TINY);
    const git = model.getLayer('git_stage0') as GridIndexTransform;
    const custom = [...Array(25).keys()].reverse();
    git.setPermutation(custom);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
    expectFaithfulCopy(model, loaded, 'git_stage0', custom);
    model.dispose();
    loaded.dispose();
  });
});

describe('seeded initialisation', () => {
  const weightsOf = (m: ReturnType<typeof buildSke2Grid>) => m.weights.map((w) => Array.from(w.read().dataSync()));

  it('gives identical weights for the same seed (cpu and wasm agree), different ones otherwise', async () => {
    const a = buildSke2Grid({ ...TINY, seed: 7 });
    const b = buildSke2Grid({ ...TINY, seed: 7 });
    const c = buildSke2Grid({ ...TINY, seed: 8 });
    const unseeded = [buildSke2Grid(TINY), buildSke2Grid(TINY)];
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(weightsOf(c)).not.toEqual(weightsOf(a));
    expect(weightsOf(unseeded[0])).not.toEqual(weightsOf(unseeded[1]));
    await useBackend('wasm');
    const w = buildSke2Grid({ ...TINY, seed: 7 });
    // Random draws are made in JS; the UPT init's softmax runs on the backend (ulp-level differences).
    const fromWasm = weightsOf(w);
    weightsOf(a).forEach((vals, i) => vals.forEach((v, k) => expect(Math.abs(v - fromWasm[i][k])).toBeLessThan(1e-6)));
    w.dispose();
    await useBackend('cpu');
    [a, b, c, ...unseeded].forEach((m) => m.dispose());
    expect(() => resolveConfig({ seed: -1 })).toThrow(/config.seed: expected a non-negative integer or null/);
  });

  it('keeps the seed derivation of earlier versions (layer seed = seed * 1009 + slot, weight seed = layer seed * 16 + k)', () => {
    const model = buildSke2Grid({ ...TINY, seed: 7 });
    const read = (layer: string, weight: number) => Array.from(model.getLayer(layer).getWeights()[weight].dataSync());
    // block1's spatial kernel [3, 3, 4, 8]: Kaiming normal (fan-out 8 * 9), layer slot 100 + 1, first draw.
    const spatial = tf.randomNormal([3, 3, 4, 8], 0, Math.sqrt(2 / (8 * 9)), 'float32', (7 * 1009 + 101) * 16 + 0);
    expect(read('block1', 0)).toEqual(Array.from(spatial.dataSync()));
    // git_stage0's scores [25, 25]: U[0, 1), layer slot 2 * 0 + 1.
    const scores = tf.randomUniform([25, 25], 0, 1, 'float32', (7 * 1009 + 1) * 16);
    expect(read('git_stage0', 0)).toEqual(Array.from(scores.dataSync()));
    // The classifier kernel: N(0, 0.01) with the layer seed itself (slot 200).
    const classifier = tfl.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: 7 * 1009 + 200 }).apply([8, 3]);
    expect(read('classifier', 0)).toEqual(Array.from(classifier.dataSync()));
    tf.dispose([spatial, scores, classifier]);
    model.dispose();
  });
});

describe('config validation names the argument and the expected value', () => {
  const cases: [string, object, RegExp][] = [
    ['non-square grid', { gridShape: [5, 6] }, /config.gridShape: expected a square grid/],
    ['too-small grid', { gridShape: [4, 4] }, /config.gridShape: expected a grid with at least 17 cells/],
    ['stages not starting at the joint count', { stages: [25] }, /config.stages\[0\]: expected the joint count of layout 'coco' \(17\), got 25/],
    ['non-square intermediate stage', { gridShape: [6, 6], stages: [17, 24] }, /config.stages\[1\]: expected a perfect square/],
    ['shrinking stages', { gridShape: [6, 6], stages: [17, 36, 25] }, /config.stages\[2\]: expected at least 36/],
    ['unknown layout', { layout: 'openpose' }, /layout: expected one of 'coco'/],
    ['unknown key', { gridshape: [5, 5] }, /config.gridshape: expected one of the known fields/],
    ['bad frames', { frames: 0 }, /config.frames: expected a positive integer or null/],
    ['bad classes', { numClasses: 1.5 }, /config.numClasses: expected a positive integer, got 1.5/],
    ['bad dropout', { dropout: 1 }, /config.dropout: expected a rate in \[0, 1\)/],
    ['bad blocks', { blocks: [{ filters: 0, stride: 1 }] }, /config.blocks\[0\]/],
    ['bad prior', { prior: 'normalised' }, /config.prior/],
  ];
  for (const [what, config, message] of cases) {
    it(what, () => expect(() => resolveConfig(config as never)).toThrow(message));
  }

  it('merges the official defaults', () => {
    const c = resolveConfig();
    expect(c.gridShape).toEqual([5, 5]);
    expect(c.stages).toEqual([17]);
    expect(c.stageOutputs).toEqual([25]);
    expect(c.blocks.map((b) => b.filters)).toEqual([64, 64, 64, 64, 128, 128, 128, 256, 256, 256]);
    expect([c.persons, c.frames, c.numClasses, c.inChannels, c.batchNormEpsilon, c.batchNormMomentum]).toEqual([2, 100, 60, 3, 1e-5, 0.1]);
  });
});

describe('bad inputs at predict time', () => {
  it('name the input and the expected shape', () => {
    const model = buildSke2Grid(TINY);
    expect(() => model.predict(tf.zeros([1, 2, 8, 16, 3]))).toThrow(
      "x: expected [batch, 2 persons, 8 frames, 17 joints (layout 'coco'), 3 channels], got [1, 2, 8, 16, 3]",
    );
    expect(() => model.predict(tf.zeros([2, 8, 17, 3]))).toThrow(
      "x: expected [batch, 2 persons, 8 frames, 17 joints (layout 'coco'), 3 channels], got [2, 8, 17, 3]",
    );
    model.dispose();
  });
});
