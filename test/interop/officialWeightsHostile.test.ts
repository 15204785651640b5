import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { exportOfficialStateDict, loadOfficialWeights, type StateDictTensor } from '../../src/interop/officialWeights.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

type Dict = Record<string, StateDictTensor>;

describe('loadOfficialWeights: everything is checked before anything is written', () => {
  let model: tfl.LayersModel;
  let source: Dict;
  const snapshot = () => model.weights.map((w) => Array.from(w.read().dataSync()));
  /** A deep copy of the source state dict, with `edit` applied. */
  const edited = (edit: (d: Dict) => void): Dict => {
    const d: Dict = Object.fromEntries(Object.entries(source).map(([k, v]) => [k, { shape: [...v.shape], data: Array.from(v.data) }]));
    edit(d);
    return d;
  };

  beforeAll(async () => {
    await useBackend('cpu');
    model = buildSke2Grid({ ...TINY, seed: 1 });
    const other = buildSke2Grid({ ...TINY, seed: 2 });
    source = exportOfficialStateDict(other); // differs from model's weights in every tensor
    other.dispose();
  });
  afterAll(() => model.dispose());

  it.each<[string, (d: Dict) => void, string]>([
    [
      'a wrong index_sel (a valid permutation, but not the greedy one of the scores)',
      (d) => {
        const sel = d['backbone.SGT_stages.0.index_sel'].data as number[];
        [sel[0], sel[1]] = [sel[1], sel[0]];
      },
      "stateDict['backbone.SGT_stages.0.index_sel']: expected the greedy permutation of the loaded scores [",
    ],
    [
      'an index_sel of the wrong length',
      (d) => (d['backbone.SGT_stages.0.index_sel'] = { shape: [3], data: [0, 1, 2] }),
      "stateDict['backbone.SGT_stages.0.index_sel']: expected a permutation of 0..24 (shape [25]), got shape [3]",
    ],
    [
      'a value beyond float32 range (1e39)',
      (d) => ((d['cls_head.fc.bias'].data as number[])[1] = 1e39),
      "stateDict['cls_head.fc.bias']: expected finite float32 values (|v| <= 3.4028234663852886e+38), got 1e+39 at index 1",
    ],
    [
      'NaN',
      (d) => ((d['cls_head.fc.weight'].data as number[])[5] = NaN),
      "stateDict['cls_head.fc.weight']: expected finite float32 values (|v| <= 3.4028234663852886e+38), got NaN at index 5",
    ],
    [
      'a string value',
      (d) => ((d['cls_head.fc.bias'].data as unknown[])[0] = '1'),
      'stateDict[\'cls_head.fc.bias\']: expected finite float32 values (|v| <= 3.4028234663852886e+38), got "1" at index 0',
    ],
    [
      'a negative running_var',
      (d) => ((d['backbone.data_bn.running_var'].data as number[])[3] = -0.5),
      "stateDict['backbone.data_bn.running_var']: expected non-negative running variances, got -0.5 at index 3",
    ],
    [
      'module.X and X both present',
      (d) => (d['module.cls_head.fc.bias'] = d['cls_head.fc.bias']),
      "stateDict['module.cls_head.fc.bias']: expected each parameter once (after removing the 'module.' prefix), got it also as 'cls_head.fc.bias'",
    ],
    [
      'data that is not an array',
      (d) => ((d['cls_head.fc.bias'] as { data: unknown }).data = 7),
      "stateDict['cls_head.fc.bias'].data: expected an array of numbers, got 7",
    ],
  ])('%s: a Ske2GridError, and the model is untouched', (_, edit, message) => {
    const before = snapshot();
    const tensors = tf.memory().numTensors;
    const dict = edited(edit);
    let error: unknown;
    try {
      loadOfficialWeights(model, dict);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Ske2GridError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect(snapshot()).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('the unedited state dict loads and reproduces the source weights (the checks do not refuse good data)', () => {
    const before = snapshot();
    const report = loadOfficialWeights(
      model,
      edited(() => {}),
    );
    expect(report.permutations[0]).toEqual(Array.from(source['backbone.SGT_stages.0.index_sel'].data));
    expect(snapshot()).not.toEqual(before);
    const again = exportOfficialStateDict(model);
    for (const [k, v] of Object.entries(source)) expect(Array.from(again[k].data), k).toEqual(Array.from(v.data));
  });
});
