import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOfficialStateDict, loadOfficialWeights } from '../../src/interop/officialWeights.js';
import { buildSke2Grid, getModelConfig } from '../../src/model/buildSke2Grid.js';
import { embedGrid, growSke2Grid } from '../../src/model/growSke2Grid.js';
import { stageMixingMatrices } from '../../src/model/stageMixingMatrices.js';
import { isPermutation } from '../../src/ops/greedyAssignment.js';
import { readParityFixture } from '../../src/node/readParityFixture.js';
import { SHARED, useBackend } from '../helpers/backends.js';
import { TINY, countParams } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

/** The composite joint -> cell matrix `[H*W, V]` of all stages. */
const composite = (model: tfl.LayersModel): number[][] => stageMixingMatrices(model).at(-1)!;

describe('growSke2Grid', () => {
  it('follows the reference PLS parameter counts 5x5 -> 6x6 -> 7x7 -> 8x8 (trainable after freezing)', () => {
    let model = buildSke2Grid();
    const expected = [4_385_910, 4_387_879, 4_390_946];
    for (const [i, side] of [6, 7, 8].entries()) {
      const next = growSke2Grid(model);
      model.dispose();
      model = next;
      expect(getModelConfig(model).gridShape).toEqual([side, side]);
      expect(countParams(model.trainableWeights)).toBe(expected[i]);
    }
    expect(getModelConfig(model).stages).toEqual([17, 25, 36, 49]);
    model.dispose();
  });

  it('copies every shared weight and freezes only the earlier UPT/GIT stages', () => {
    const small = buildSke2Grid(TINY);
    const grown = growSke2Grid(small);
    for (const layer of small.layers) {
      const values = layer.getWeights().map((w) => Array.from(w.dataSync()));
      expect(
        grown
          .getLayer(layer.name)
          .getWeights()
          .map((w) => Array.from(w.dataSync())),
        layer.name,
      ).toEqual(values);
    }
    const frozen = grown.layers.filter((l) => !l.trainable && l.name !== 'skeletons').map((l) => l.name);
    expect(frozen).toEqual(['upt_stage0', 'git_stage0']);
    expect(grown.getLayer('upt_stage1').trainable).toBe(true);
    expect(grown.getLayer('git_stage1').trainable).toBe(true);
    expect(grown.optimizer).toBeUndefined();
    small.dispose();
    grown.dispose();
  });

  it('keepArrangement keeps the previous grid inside the new one', () => {
    const small = buildSke2Grid({ ...TINY, gridShape: [5, 5] });
    const before = composite(small);
    const grown = growSke2Grid(small, { keepArrangement: true, gridShape: [7, 7] });
    const after = composite(grown);
    const placement = embedGrid(5, 7);
    expect(isPermutation(placement, 49)).toBe(true);
    for (let r = 0; r < 7; r++) {
      for (let c = 0; c < 7; c++) {
        const node = placement[r * 7 + c];
        if (node < 25) after[r * 7 + c].forEach((v, j) => expect(v).toBeCloseTo(before[node][j], 5));
      }
    }
    expect(placement[8]).toBe(0); // (1, 1) of the 7x7 grid holds (0, 0) of the 5x5 grid
    small.dispose();
    grown.dispose();
  });

  it('rejects a grid that does not grow', () => {
    const small = buildSke2Grid(TINY);
    expect(() => growSke2Grid(small, { gridShape: [5, 5] })).toThrow(/options.gridShape: expected a square grid larger than 5x5, got \[5, 5\]/);
    small.dispose();
  });

  it('grows the d5_t12 parity model into exactly the official 5->6 model (d6_t12_pls loads strictly, logits match)', () => {
    const d5 = readParityFixture(`${SHARED}fixtures/parity/d5_t12`);
    const d6 = readParityFixture(`${SHARED}fixtures/parity/d6_t12_pls`);
    const five = buildSke2Grid(d5.config());
    loadOfficialWeights(five, d5.stateDict());
    const six = growSke2Grid(five);
    expect(getModelConfig(six).stages).toEqual(d6.config().stages);
    // Every d5 tensor is carried over unchanged.
    const carried = exportOfficialStateDict(six);
    for (const [key, t] of Object.entries(exportOfficialStateDict(five))) expect(Array.from(carried[key].data), key).toEqual(Array.from(t.data));
    // The d6 fixture draws its shared weights independently, so its logits are reproduced once
    // its state dict is loaded into the grown model: the names and shapes must match one for one.
    const report = loadOfficialWeights(six, d6.stateDict());
    expect(report.permutations.map((p) => p.length)).toEqual([25, 36]);
    const x = d6.tensor('input.x');
    const ref = d6.tensor('eval.logits');
    const logits = six.predict(x) as tf.Tensor;
    const rel = tf.tidy(() => tf.max(tf.abs(tf.sub(logits, ref))).dataSync()[0] / tf.max(tf.abs(ref)).dataSync()[0]);
    expect(rel).toBeLessThan(1e-4);
    tf.dispose([x, ref, logits]);
    five.dispose();
    six.dispose();
  });
});
