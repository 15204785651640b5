import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { buildSke2Grid, layerNames } from '../../src/model/buildSke2Grid.js';
import { stageMixingMatrices, stageMixingTensors } from '../../src/model/stageMixingMatrices.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

describe('stageMixingMatrices', () => {
  it('is the GIT permutation of the joints when the UPT is the identity (NTU-25 on 5x5, no prior)', () => {
    const model = buildSke2Grid({ ...TINY, layout: 'ntu25', prior: 'none', seed: 2 });
    const perm = (model.getLayer(layerNames.git(0)) as GridIndexTransform).getPermutation();
    const [m] = stageMixingMatrices(model);
    expect(m).toEqual(perm.map((node) => Array.from({ length: 25 }, (_, j) => (j === node ? 1 : 0))));
    model.dispose();
  });

  it('gives one [cells, joints] matrix per stage; the tensor form holds the same values and leaks nothing', () => {
    const model = buildSke2Grid({ ...TINY, gridShape: [6, 6], stages: [17, 25], seed: 3 });
    const before = tf.memory().numTensors;
    const tensors = stageMixingTensors(model);
    expect(tensors.map((t) => t.shape)).toEqual([
      [25, 17],
      [36, 17],
    ]);
    const arrays = stageMixingMatrices(model);
    expect(tensors.map((t) => t.arraySync())).toEqual(arrays);
    // With the adjacency prior every cell of the 6x6 grid reads at least one joint.
    expect(arrays[1].every((row) => row.some((v) => v !== 0))).toBe(true);
    tf.dispose(tensors);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
