/**
 * A grown progressive-learning model (5x5 -> 6x6: a second UPT + GIT stage, the first frozen)
 * gives the same logits on webgl, webgpu and wasm as its twin on cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { buildSke2Grid, getModelConfig } from '../../../src/model/buildSke2Grid.js';
import { growSke2Grid } from '../../../src/model/growSke2Grid.js';
import { TINY } from '../../helpers/tiny.js';
import { BROWSER_BACKENDS, logitsOn, maxRelativeDifference, readWeights, useBrowserBackend } from '../browserBackends.js';

/** A seeded 5x5 tiny model grown to 6x6 (built on the current backend). */
function grownTiny(): tfl.LayersModel {
  const small = buildSke2Grid({ ...TINY, seed: 5 });
  const grown = growSke2Grid(small);
  small.dispose();
  return grown;
}

for (const backend of BROWSER_BACKENDS) {
  describe(`grown PLS model forward pass on ${backend}`, () => {
    it(`really runs on ${backend}`, async () => {
      await useBrowserBackend(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    it('a 6x6 model grown from 5x5 matches its cpu twin within 1e-3 relative', async () => {
      await useBrowserBackend('cpu');
      const before = tf.memory().numTensors;
      const onCpu = grownTiny();
      const onBackend = grownTiny();
      expect(getModelConfig(onBackend).gridShape).toEqual([6, 6]);
      expect(getModelConfig(onBackend).stages).toEqual([17, 25]);
      expect(onBackend.getLayer('git_stage0').trainable).toBe(false);
      expect(await readWeights(onBackend)).toEqual(await readWeights(onCpu));
      for (const training of [false, true]) {
        const expected = await logitsOn('cpu', onCpu, 2, 33, training);
        const actual = await logitsOn(backend, onBackend, 2, 33, training);
        expect(tf.getBackend()).toBe(backend);
        expect(maxRelativeDifference(actual, expected), `training=${training}`).toBeLessThan(1e-3);
        expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0);
      }
      onCpu.dispose();
      onBackend.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
