/**
 * The inference model of `compileForInference` (UPT/GIT chain folded into one joint -> cell map,
 * batch norms folded into the convolutions) on webgl, webgpu and wasm: its logits equal the
 * original model's (on cpu) within 1e-3 relative, for a 5x5 model and a grown 6x6 PLS model; and
 * `compileForInferenceAsync` compiles a model that lives on the backend itself (no synchronous read).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { compileForInference, compileForInferenceAsync, inferenceMarker } from '../../../src/deploy/compileInference.js';
import { buildSke2Grid } from '../../../src/model/buildSke2Grid.js';
import { growSke2Grid } from '../../../src/model/growSke2Grid.js';
import { TINY } from '../../helpers/tiny.js';
import { BROWSER_BACKENDS, logitsOn, maxRelativeDifference, useBrowserBackend } from '../browserBackends.js';

for (const backend of BROWSER_BACKENDS) {
  describe(`compileForInference on ${backend}`, () => {
    it(`really runs on ${backend}`, async () => {
      await useBrowserBackend(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    it('compiled 5x5 and grown 6x6 models give the original logits within 1e-3 relative', async () => {
      // Compiled on cpu (folding reads every weight synchronously), then run on the backend.
      await useBrowserBackend('cpu');
      const before = tf.memory().numTensors;
      const small = buildSke2Grid({ ...TINY, seed: 19 });
      const grown = growSke2Grid(small);
      for (const original of [small, grown]) {
        const compiled = compileForInference(original);
        expect(inferenceMarker(compiled)).not.toBeNull();
        const expected = await logitsOn('cpu', original, 2, 23);
        const actual = await logitsOn(backend, compiled, 2, 23);
        expect(tf.getBackend()).toBe(backend);
        expect(maxRelativeDifference(actual, expected)).toBeLessThan(1e-3);
        expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0);
        compiled.dispose();
        await useBrowserBackend('cpu');
      }
      small.dispose();
      grown.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('compileForInferenceAsync compiles a model whose weights live on the backend (same logits)', async () => {
      // Built on cpu (a GIT layer computes its first arrangement synchronously); the first
      // prediction on the backend moves every weight there, and the compilation reads them back asynchronously.
      await useBrowserBackend('cpu');
      const before = tf.memory().numTensors;
      const small = buildSke2Grid({ ...TINY, seed: 29 });
      const grown = growSke2Grid(small);
      small.dispose();
      const expected = await logitsOn(backend, grown, 2, 31);
      const compiled = await compileForInferenceAsync(grown);
      expect(tf.getBackend()).toBe(backend);
      const actual = await logitsOn(backend, compiled, 2, 31);
      expect(maxRelativeDifference(actual, expected)).toBeLessThan(1e-3);
      expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0);
      compiled.dispose();
      grown.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
