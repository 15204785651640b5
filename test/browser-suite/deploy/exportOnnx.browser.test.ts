/**
 * `exportOnnx` in the browser, and its graph in onnxruntime-web (wasm, the `.wasm` binary served
 * by Vite from node_modules, nothing from the network): the ONNX logits equal the tfjs model's on
 * the tfjs wasm backend within 1e-5 relative, for a 5x5 model and a grown 6x6 PLS model, at two
 * clip lengths.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web/wasm';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../../src/deploy/exportOnnx.js';
import { wasmThreadInfo } from '../../../src/deploy/wasmThreadInfo.js';
import { buildSke2Grid } from '../../../src/model/buildSke2Grid.js';
import { growSke2Grid } from '../../../src/model/growSke2Grid.js';
import { TINY } from '../../helpers/tiny.js';
import { maxRelativeDifference, useBrowserBackend } from '../browserBackends.js';

ort.env.wasm.wasmPaths = { wasm: ortWasmUrl };
ort.env.wasm.numThreads = 1; // the test page is not cross-origin isolated

describe('exportOnnx in onnxruntime-web (wasm)', () => {
  it('gives the tfjs-wasm logits (<= 1e-5 relative) for a 5x5 and a grown 6x6 model, any clip length', async () => {
    await useBrowserBackend('cpu');
    const small = buildSke2Grid({ ...TINY, frames: null, seed: 31 });
    const grown = growSke2Grid(small);
    await useBrowserBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    for (const model of [small, grown]) {
      const bytes = await exportOnnx(model, { classNames: ['a', 'b', 'c'] });
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      expect(session.inputNames).toEqual(['skeletons']);
      for (const [n, t] of [
        [2, 8],
        [1, 5],
      ]) {
        const x = tf.randomNormal([n, 2, t, 17, 3], 0, 1, 'float32', n * 10 + t);
        const y = model.predict(x) as tf.Tensor;
        const expected = (await y.data()) as Float32Array;
        const out = await session.run({ skeletons: new ort.Tensor('float32', (await x.data()) as Float32Array, x.shape) });
        expect(out.logits.dims).toEqual([n, 3]);
        expect(maxRelativeDifference(out.logits.data as Float32Array, expected)).toBeLessThanOrEqual(1e-5);
        expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0);
        tf.dispose([x, y]);
      }
      await session.release();
    }
    small.dispose();
    grown.dispose();
  });

  it('wasmThreadInfo on the (not isolated) test page: no SharedArrayBuffer, one wasm thread', async () => {
    await useBrowserBackend('wasm');
    const info = await wasmThreadInfo();
    expect(info.crossOriginIsolated).toBe(false);
    expect(info.sharedArrayBuffer).toBe(false);
    expect(info.threadsSupported).toBe(false);
    expect(info.threadsInUse).toBe(1);
    expect(info.threadCap).toBe(1);
    expect(info.hardwareConcurrency).toBe(navigator.hardwareConcurrency);
    expect(info.backend).toBe('wasm');
  });
});
