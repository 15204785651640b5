import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../errors.js';

/**
 * How {@link paddedConv2d} computes a zero-padded convolution; every formulation gives the same
 * values and gradients up to float32 rounding:
 * - `'conv2d'`: the backend's `Conv2D` kernel, with gradients that are `Conv2D` calls too (input
 *   gradient: the flipped filter over the stride-dilated output gradient; filter gradient: one
 *   dilated convolution with batch and channel axes swapped);
 * - `'matmul'`: explicit patches (pad + one slice per tap + concat, "im2col") times the filter as a
 *   matrix, with matMul gradients.
 */
export type ConvFormulation = 'conv2d' | 'matmul';

/** A {@link ConvFormulation}, or `'auto'`: the measured default of the backend active at call time. */
export type ConvFormulationSetting = 'auto' | ConvFormulation;

/**
 * Every {@link ConvFormulation}.
 *
 * @example
 * ```ts
 * import { CONV_FORMULATIONS, buildSke2Grid } from 'ske2grid';
 * CONV_FORMULATIONS; // ['conv2d', 'matmul']
 * const model = buildSke2Grid({ convFormulation: 'matmul' }); // override the per-backend choice
 * ```
 */
export const CONV_FORMULATIONS: readonly ConvFormulation[] = Object.freeze(['conv2d', 'matmul'] as const);

/**
 * The formulation `'auto'` picks per tfjs backend, from `bench/formulations.ts` (one grid block and
 * the whole 5x5 model, forward and training step; backends not listed get `'conv2d'`):
 * - wasm: `'conv2d'`. XNNPACK's `Conv2D` runs at the speed of a plain matMul; the patches of
 *   `'matmul'` are JS-side slices and its gradients transposed matMuls, which tfjs-wasm runs on a
 *   slow path: official block 4.3x slower to train, 2.2x slower forward; whole model ~5-8x.
 * - cpu: `'conv2d'` (both are plain JS loops; `'matmul'` copies every input 9 times: 4-7x slower).
 * - webgl, webgpu: `'conv2d'`. Measured in headless Chromium on SwiftShader (a CPU-emulated GPU;
 *   small model): forward 1.45-1.7x faster than `'matmul'`, training steps within noise of it. tfjs
 *   already runs `Conv2D` as im2col + matMul shaders, while `'matmul'` adds a pass per tap.
 * - tensorflow (tfjs-node): `'conv2d'`, native convolutions.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONV_FORMULATIONS } from 'ske2grid';
 * DEFAULT_CONV_FORMULATIONS['wasm']; // 'conv2d' (measured fastest there)
 * ```
 */
export const DEFAULT_CONV_FORMULATIONS: Readonly<Record<string, ConvFormulation>> = Object.freeze({
  wasm: 'conv2d',
  cpu: 'conv2d',
  webgl: 'conv2d',
  webgpu: 'conv2d',
  tensorflow: 'conv2d',
});

/**
 * Checks a formulation setting (`'auto'`, `'conv2d'` or `'matmul'`) and returns it; `undefined` gives `'auto'`.
 * The one validation rule of the setting: each entry point (the model config, a layer's args,
 * `paddedConv2d`'s options) checks its own argument with it once.
 */
export function checkConvFormulation(arg: string, value: unknown): ConvFormulationSetting {
  if (value === undefined) return 'auto';
  if (value !== 'auto' && !CONV_FORMULATIONS.includes(value as ConvFormulation)) {
    fail(arg, `'auto' or one of ${CONV_FORMULATIONS.map((f) => `'${f}'`).join(', ')}`, value);
  }
  return value as ConvFormulationSetting;
}

/**
 * The concrete formulation of a setting: `'auto'` resolves to {@link DEFAULT_CONV_FORMULATIONS} of `backend` (default: the active tfjs backend).
 *
 * @example
 * ```ts
 * import { resolveConvFormulation } from 'ske2grid';
 * resolveConvFormulation('auto', 'wasm'); // 'conv2d'
 * resolveConvFormulation('matmul'); // 'matmul' on any backend
 * ```
 */
export function resolveConvFormulation(setting: ConvFormulationSetting = 'auto', backend: string = tf.getBackend()): ConvFormulation {
  return formulationFor(checkConvFormulation('convFormulation', setting), backend);
}

/** The concrete formulation of an already checked setting (no validation: callers check their own argument once). */
export function formulationFor(setting: ConvFormulationSetting, backend: string = tf.getBackend()): ConvFormulation {
  return setting === 'auto' ? (DEFAULT_CONV_FORMULATIONS[backend] ?? 'conv2d') : setting;
}
