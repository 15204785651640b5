/// <reference types="vite/client" />
/**
 * Shared setup of the browser suite: registers the cpu, webgl, webgpu and wasm backends, points
 * the wasm backend at its `.wasm` binaries as served by Vite, and offers backend switching that
 * fails loudly and cross-backend comparisons that read data asynchronously.
 *
 * Reads are asynchronous throughout: in headless Chromium (SwiftShader) WebGPU canvases cannot be
 * created, and tfjs-backend-webgpu's synchronous read (`dataSync`, and moving a GPU-resident tensor
 * to another backend) goes through one: it returns zeros and destroys the device. Models are
 * therefore built on cpu and moved to the backend under test (cpu -> GPU moves are fine).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

/** The backends every browser test runs on (each compared with `cpu`). */
export const BROWSER_BACKENDS = ['webgl', 'webgpu', 'wasm'] as const;

/** Name of a backend the browser suite runs on. */
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number] | 'cpu';

/** Switches to `name`; throws when tfjs silently stayed on another backend (setBackend only returns false). */
export async function useBrowserBackend(name: BrowserBackend): Promise<void> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} is not available in this browser (tfjs is on ${tf.getBackend()})`);
}

/** Skeleton input `[batch, persons, frames, joints, channels]` of a model, drawn with a fixed seed (the same numbers on every backend). */
export function seededInput(model: tfl.LayersModel, batch: number, seed: number): tf.Tensor {
  const [, m, t, v, c] = model.inputs[0].shape as number[];
  return tf.randomNormal([batch, m, t, v, c], 0, 1, 'float32', seed);
}

/** Runs `model` on the seeded input on `backend` (inference mode, or batch statistics with `training`), returns the logits. */
export async function logitsOn(backend: BrowserBackend, model: tfl.LayersModel, batch: number, seed: number, training = false): Promise<Float32Array> {
  await useBrowserBackend(backend);
  const x = seededInput(model, batch, seed);
  const y = tf.tidy(() => model.apply(x, { training }) as tf.Tensor);
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return values;
}

/** max|actual - expected| / max|expected|; throws on different lengths and returns Infinity on a non-finite value. */
export function maxRelativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`compared arrays differ in length: ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!Number.isFinite(actual[i]) || !Number.isFinite(expected[i])) return Infinity;
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** The values of a model's weights (all, or only the trainable ones), read asynchronously, keyed by weight name. */
export async function readWeights(model: tfl.LayersModel, which: 'all' | 'trainable' = 'all'): Promise<Map<string, Float32Array>> {
  const weights = which === 'all' ? model.weights : model.trainableWeights;
  const out = new Map<string, Float32Array>();
  for (const w of weights) out.set(w.originalName, (await w.read().data()) as Float32Array);
  return out;
}

/** The permutation of a GIT layer, read asynchronously. */
export async function readPermutation(layer: GridIndexTransform): Promise<number[]> {
  return Array.from(await layer.variable('permutation').read().data(), Math.round);
}
