/**
 * A tiny seeded Ske2Grid model gives the same logits on webgl, webgpu and wasm as its twin on cpu,
 * in inference mode (moving statistics, permutation gather) and with batch statistics (the
 * straight-through permutation path used in training).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildSke2Grid } from '../../../src/model/buildSke2Grid.js';
import { TINY } from '../../helpers/tiny.js';
import { BROWSER_BACKENDS, logitsOn, maxRelativeDifference, readWeights, useBrowserBackend } from '../browserBackends.js';

for (const backend of BROWSER_BACKENDS) {
  describe(`buildSke2Grid forward pass on ${backend}`, () => {
    it(`really runs on ${backend}`, async () => {
      await useBrowserBackend(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    it('matches the same seeded model on cpu within 1e-3 relative, in inference and training mode, without leaking tensors', async () => {
      // Both twins are built on cpu; the second moves to the backend with its first kernel there.
      await useBrowserBackend('cpu');
      const before = tf.memory().numTensors;
      const onCpu = buildSke2Grid({ ...TINY, seed: 3 });
      const onBackend = buildSke2Grid({ ...TINY, seed: 3 });
      expect(await readWeights(onBackend)).toEqual(await readWeights(onCpu));
      for (const training of [false, true]) {
        const expected = await logitsOn('cpu', onCpu, 2, 21, training);
        const actual = await logitsOn(backend, onBackend, 2, 21, training);
        expect(tf.getBackend()).toBe(backend);
        expect(actual.length).toBe(2 * 3);
        expect(maxRelativeDifference(actual, expected), `training=${training}`).toBeLessThan(1e-3);
        // The logits are not trivially equal (all zero, or one row repeated).
        expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0);
        expect(Array.from(expected.slice(0, 3))).not.toEqual(Array.from(expected.slice(3, 6)));
      }
      onCpu.dispose();
      onBackend.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
