/**
 * Browser checkpoints in a real browser: a Ske2Grid model saved to `indexeddb://` from webgl,
 * webgpu and wasm loads back with its GIT permutation, its config metadata and identical logits.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { buildSke2Grid, getModelConfig } from '../../src/model/buildSke2Grid.js';
import { TINY } from '../helpers/tiny.js';
import { BROWSER_BACKENDS, readPermutation, seededInput, useBrowserBackend } from './browserBackends.js';

for (const backend of BROWSER_BACKENDS) {
  describe(`IndexedDB checkpoint on ${backend}`, () => {
    it(`really runs on ${backend}`, async () => {
      await useBrowserBackend(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    it('round-trips a model with a custom permutation through indexeddb:// with identical logits', async () => {
      await useBrowserBackend(backend);
      const before = tf.memory().numTensors;
      const url = `indexeddb://ske2grid-browser-suite-${backend}`;
      const model = buildSke2Grid({ ...TINY, seed: 13 });
      const custom = [...Array(25).keys()].map((i) => (i * 7) % 25);
      (model.getLayer('git_stage0') as GridIndexTransform).setPermutation(custom);
      const x = seededInput(model, 2, 17);
      const expected = model.predict(x) as tf.Tensor;
      const expectedValues = await expected.data();

      await model.save(url);
      expect(Object.keys(await tf.io.listModels())).toContain(url);
      const loaded = await tfl.loadLayersModel(url);
      expect(tf.getBackend()).toBe(backend);
      expect(await readPermutation(loaded.getLayer('git_stage0') as GridIndexTransform)).toEqual(custom);
      expect(getModelConfig(loaded)).toEqual(getModelConfig(model));
      const actual = loaded.predict(x) as tf.Tensor;
      expect(Array.from(await actual.data())).toEqual(Array.from(expectedValues));

      await tf.io.removeModel(url);
      expect(Object.keys(await tf.io.listModels())).not.toContain(url);
      tf.dispose([x, expected, actual]);
      model.dispose();
      loaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
