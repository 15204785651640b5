import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describe, failAs } from '../errors.js';
import { getModelConfig } from './buildSke2Grid.js';

/** Options of {@link checkSkeletonInput}. */
export interface CheckSkeletonInputOptions {
  /** Also check that every value is finite (one device read); default true. */
  finite?: boolean;
}

/**
 * Checks a skeleton batch against a Ske2Grid model before `predict` / `fit`: shape
 * `[batch, persons, frames, joints, channels]` matching the model's config and layout, and every
 * value finite (one device read). Throws a {@link Ske2GridError} naming `arg` (default `'x'`), e.g.
 * `x: expected [batch, 2 persons, 100 frames, 17 joints (layout 'coco'), 3 channels], got [4, 2, 100, 25, 3]`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { buildSke2Grid, checkSkeletonInput } from 'ske2grid';
 * const model = buildSke2Grid({ frames: 32 }); // layout 'coco', 2 persons, 3 channels
 * checkSkeletonInput(model, tf.zeros([4, 2, 32, 17, 3])); // passes
 * checkSkeletonInput(model, tf.zeros([4, 2, 32, 25, 3])); // throws: ... 17 joints (layout 'coco') ...
 * ```
 */
export function checkSkeletonInput(model: LayersModel, x: tf.Tensor, arg = 'x', options: CheckSkeletonInputOptions = {}): void {
  checkSkeletonShape(model, x, arg);
  if (options.finite !== false) checkFiniteValues(x.dataSync(), x.shape, arg);
}

/**
 * {@link checkSkeletonInput} with an asynchronous device read (`data()`): the form to use on GPU
 * backends, where a synchronous read stalls the page (and loses the device on WebGPU in headless Chromium).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { buildSke2Grid, checkSkeletonInputAsync } from 'ske2grid';
 * const model = buildSke2Grid({ frames: 32 });
 * await checkSkeletonInputAsync(model, tf.zeros([4, 2, 32, 17, 3])); // resolves; rejects like checkSkeletonInput
 * ```
 */
export async function checkSkeletonInputAsync(model: LayersModel, x: tf.Tensor, arg = 'x', options: CheckSkeletonInputOptions = {}): Promise<void> {
  checkSkeletonShape(model, x, arg);
  if (options.finite !== false) checkFiniteValues(await x.data(), x.shape, arg);
}

/** The shape part of {@link checkSkeletonInput} (no device read). */
function checkSkeletonShape(model: LayersModel, x: tf.Tensor, arg: string): void {
  const c = getModelConfig(model);
  const v = c.layout.joints.length;
  const expected = `[batch, ${c.persons} persons, ${c.frames ?? 'any'} frames, ${v} joints (layout '${c.layout.name}'), ${c.inChannels} channels]`;
  const s = x?.shape;
  if (!s || s.length !== 5 || s[1] !== c.persons || (c.frames !== null && s[2] !== c.frames) || s[3] !== v || s[4] !== c.inChannels || s[0] < 1 || s[2] < 1) {
    failAs(arg, expected, x instanceof tf.Tensor ? describe(s) : `${describe(x === null ? null : typeof x)} (not a tensor)`);
  }
}

/** Throws naming the first non-finite value of a `[batch, person, frame, joint, channel]` batch and its index. */
function checkFiniteValues(values: ArrayLike<number>, shape: number[], arg: string): void {
  let firstBad = -1;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      firstBad = i;
      break;
    }
  }
  if (firstBad < 0) return;
  const index: number[] = [];
  let rest = firstBad;
  for (let i = shape.length - 1; i >= 0; i--) {
    index.unshift(rest % shape[i]);
    rest = Math.floor(rest / shape[i]);
  }
  failAs(arg, 'finite values', `${values[firstBad]} at [${index.join(', ')}] (batch, person, frame, joint, channel)`);
}

/**
 * Checks one-hot targets `y` `[N, numClasses]` for a Ske2Grid model: `N` rows (default: any), every
 * value finite and in [0, 1], each row summing to 1 (within 1e-3). An out-of-range label passed
 * through `tf.oneHot` gives an all-zero row, refused here instead of training on nothing. One device
 * read. Throws a {@link Ske2GridError} naming `arg` (default `'y'`) and the first bad row.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { buildSke2Grid, checkOneHotLabels } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 4 });
 * checkOneHotLabels(model, tf.oneHot(tf.tensor1d([0, 3], 'int32'), 4)); // passes
 * checkOneHotLabels(model, tf.oneHot(tf.tensor1d([0, 4], 'int32'), 4)); // throws: y: expected one-hot rows ..., got row 1 summing to 0 ...
 * ```
 */
export function checkOneHotLabels(model: LayersModel, y: tf.Tensor, arg = 'y', rows?: number): void {
  const k = checkOneHotShape(model, y, arg, rows);
  checkOneHotValues(y.dataSync(), k, arg);
}

/**
 * {@link checkOneHotLabels} with an asynchronous device read (`data()`), for GPU backends.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { buildSke2Grid, checkOneHotLabelsAsync } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 4 });
 * await checkOneHotLabelsAsync(model, tf.oneHot(tf.tensor1d([0, 3], 'int32'), 4)); // resolves
 * ```
 */
export async function checkOneHotLabelsAsync(model: LayersModel, y: tf.Tensor, arg = 'y', rows?: number): Promise<void> {
  const k = checkOneHotShape(model, y, arg, rows);
  checkOneHotValues(await y.data(), k, arg);
}

/** The shape part of {@link checkOneHotLabels}; returns the number of classes. */
function checkOneHotShape(model: LayersModel, y: tf.Tensor, arg: string, rows?: number): number {
  const k = getModelConfig(model).numClasses;
  const s = y?.shape;
  if (!(y instanceof tf.Tensor) || s.length !== 2 || s[1] !== k || (rows !== undefined && s[0] !== rows)) {
    const got = y instanceof tf.Tensor ? describe(s) : `${describe(y === null ? null : typeof y)} (not a tensor)`;
    failAs(arg, `one-hot labels [${rows ?? 'N'}, ${k} classes]`, got);
  }
  return k;
}

/** Throws naming the first row of `values` (`[N, k]`, row-major) that is not a one-hot (or soft) label row. */
function checkOneHotValues(values: ArrayLike<number>, k: number, arg: string): void {
  for (let row = 0; row * k < values.length; row++) {
    let sum = 0;
    let badValue = false;
    for (let j = 0; j < k; j++) {
      const v = values[row * k + j];
      if (!(Number.isFinite(v) && v >= 0 && v <= 1)) badValue = true;
      else sum += v;
    }
    if (!badValue && Math.abs(sum - 1) <= 1e-3) continue;
    const what = badValue
      ? `row ${row} holding a value outside [0, 1] or not finite`
      : `row ${row} summing to ${Math.fround(sum)}${sum === 0 ? ` (tf.oneHot gives an all-zero row for a label outside [0, ${k}))` : ''}`;
    failAs(arg, `one-hot rows of ${k} classes (values in [0, 1], each row summing to 1)`, what);
  }
}

/**
 * Makes `model.predict`, `model.fit` and `model.evaluate` of a Ske2Grid model check the shape of
 * their skeleton input first with {@link checkSkeletonInput} (shape only, no device read), so a wrong
 * batch is a {@link Ske2GridError} naming the expected shape instead of a tfjs error; returns the
 * model. `buildSke2Grid`, `compileForInference` and `loadModel` apply it.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { buildSke2Grid } from 'ske2grid';
 * const model = buildSke2Grid({ frames: 32 }); // already guarded
 * model.predict(tf.zeros([0, 2, 32, 17, 3])); // throws: x: expected [batch, 2 persons, 32 frames, ...], got [0, 2, 32, 17, 3]
 * ```
 */
export function guardSkeletonInputs<M extends LayersModel>(model: M): M {
  const check = (x: unknown, arg: string) => {
    for (const t of Array.isArray(x) ? x : [x]) checkSkeletonInput(model, t as tf.Tensor, arg, { finite: false });
  };
  const { predict, fit, evaluate } = model;
  model.predict = function (x, args) {
    check(x, 'x');
    return predict.call(this, x, args);
  };
  model.fit = function (x, y, args) {
    try {
      check(x, 'x');
    } catch (e) {
      return Promise.reject(e);
    }
    return fit.call(this, x, y, args);
  };
  model.evaluate = function (x, y, args) {
    check(x, 'x');
    return evaluate.call(this, x, y, args);
  };
  return model;
}
