import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOfficialStateDict, loadOfficialWeights } from '../../src/interop/officialWeights.js';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

const weightsOf = (m: ReturnType<typeof buildSke2Grid>) => m.weights.map((w) => Array.from(w.read().dataSync()));

describe('loadOfficialWeights / exportOfficialStateDict', () => {
  it('round-trips every weight and the permutation between two models', () => {
    const a = buildSke2Grid(TINY);
    const b = buildSke2Grid(TINY);
    const sd = exportOfficialStateDict(a);
    expect(Object.keys(sd)).toContain('backbone.st_gcn_networks.1.residual.0.weight');
    expect(sd['backbone.st_gcn_networks.0.gcn2cn.conv.weight'].shape).toEqual([4, 3, 3, 3]);
    expect(sd['cls_head.fc.weight'].shape).toEqual([3, 8, 1, 1, 1]);
    const report = loadOfficialWeights(b, sd);
    expect(report.permutations[0]).toEqual((a.getLayer('git_stage0') as GridIndexTransform).getPermutation());
    expect(weightsOf(b)).toEqual(weightsOf(a));
    a.dispose();
    b.dispose();
  });

  it('accepts a module. prefix and ignores backbone.A and num_batches_tracked', () => {
    const a = buildSke2Grid(TINY);
    const sd = Object.fromEntries(Object.entries(exportOfficialStateDict(a)).map(([k, v]) => [`module.${k}`, v]));
    sd['module.backbone.A'] = { shape: [3, 17, 17], data: new Float32Array(867) };
    sd['module.backbone.data_bn.num_batches_tracked'] = { shape: [], data: [0] };
    const report = loadOfficialWeights(a, sd);
    expect(report.ignored).toEqual(expect.arrayContaining(['backbone.A', 'backbone.data_bn.num_batches_tracked', 'backbone.SGT_stages.0.index_sel']));
    a.dispose();
  });

  it('fails on a missing tensor and leaves the model untouched', () => {
    const a = buildSke2Grid(TINY);
    const b = buildSke2Grid(TINY);
    const before = weightsOf(b);
    const sd = exportOfficialStateDict(a);
    delete sd['backbone.st_gcn_networks.2.tcn2cn.3.running_var'];
    expect(() => loadOfficialWeights(b, sd)).toThrow(
      "stateDict['backbone.st_gcn_networks.2.tcn2cn.3.running_var']: expected a tensor of shape [8], got nothing (missing)",
    );
    expect(weightsOf(b)).toEqual(before);
    a.dispose();
    b.dispose();
  });

  it('fails on a state dict from another grid size, naming the tensor and both shapes', () => {
    const six = buildSke2Grid({ ...TINY, gridShape: [6, 6], stages: [17, 25] });
    const five = buildSke2Grid(TINY);
    const fiveOnlyStage = buildSke2Grid({ ...TINY, gridShape: [6, 6] });
    expect(() => loadOfficialWeights(five, exportOfficialStateDict(six))).toThrow(
      /sampling_stages.1'\]: expected only parameters of this model.*more UPT\/GIT stages/,
    );
    expect(() => loadOfficialWeights(fiveOnlyStage, exportOfficialStateDict(five))).toThrow(
      "stateDict['backbone.sampling_stages.0']: expected shape [36, 17], got [25, 17] (was the checkpoint made for another grid size or stage sequence?)",
    );
    [six, five, fiveOnlyStage].forEach((m) => m.dispose());
  });

  it('checks index_sel against the greedy permutation of the loaded scores', () => {
    const a = buildSke2Grid(TINY);
    const sd = exportOfficialStateDict(a);
    const sel = Array.from(sd['backbone.SGT_stages.0.index_sel'].data);
    [sel[0], sel[1]] = [sel[1], sel[0]];
    sd['backbone.SGT_stages.0.index_sel'] = { shape: [25], data: sel };
    expect(() => loadOfficialWeights(a, sd)).toThrow(/index_sel'\]: expected the greedy permutation/);
    expect(() => loadOfficialWeights(a, sd, { checkPermutation: false })).not.toThrow();
    a.dispose();
  });

  it('rejects non-finite values and wrong value counts', () => {
    const a = buildSke2Grid(TINY);
    const sd = exportOfficialStateDict(a);
    sd['cls_head.fc.bias'] = { shape: [3], data: [0, NaN, 0] };
    expect(() => loadOfficialWeights(a, sd)).toThrow(
      "stateDict['cls_head.fc.bias']: expected finite float32 values (|v| <= 3.4028234663852886e+38), got NaN at index 1",
    );
    sd['cls_head.fc.bias'] = { shape: [3], data: [0, 0] };
    expect(() => loadOfficialWeights(a, sd)).toThrow(/expected 3 values, got 2/);
    a.dispose();
  });

  it('does not leak tensors', () => {
    const a = buildSke2Grid(TINY);
    const sd = exportOfficialStateDict(a);
    const before = tf.memory().numTensors;
    loadOfficialWeights(a, sd);
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
  });
});
