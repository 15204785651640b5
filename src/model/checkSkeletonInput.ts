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
  const c = getModelConfig(model);
  const v = c.layout.joints.length;
  const expected = `[batch, ${c.persons} persons, ${c.frames ?? 'any'} frames, ${v} joints (layout '${c.layout.name}'), ${c.inChannels} channels]`;
  const s = x?.shape;
  if (!s || s.length !== 5 || s[1] !== c.persons || (c.frames !== null && s[2] !== c.frames) || s[3] !== v || s[4] !== c.inChannels || s[0] < 1 || s[2] < 1) {
    failAs(arg, expected, x instanceof tf.Tensor ? describe(s) : `${describe(x === null ? null : typeof x)} (not a tensor)`);
  }
  if (options.finite === false) return;
  const firstBad = tf.tidy(() => {
    const bad = tf.logicalNot(tf.isFinite(tf.reshape(x, [-1])));
    return tf.any(bad).dataSync()[0] ? tf.argMax(tf.cast(bad, 'int32')).dataSync()[0] : -1;
  });
  if (firstBad >= 0) {
    const value = x.dataSync()[firstBad];
    const index: number[] = [];
    let rest = firstBad;
    for (let i = s.length - 1; i >= 0; i--) {
      index.unshift(rest % s[i]);
      rest = Math.floor(rest / s[i]);
    }
    failAs(arg, 'finite values', `${value} at [${index.join(', ')}] (batch, person, frame, joint, channel)`);
  }
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
  const k = getModelConfig(model).numClasses;
  const s = y?.shape;
  if (!(y instanceof tf.Tensor) || s.length !== 2 || s[1] !== k || (rows !== undefined && s[0] !== rows)) {
    const got = y instanceof tf.Tensor ? describe(s) : `${describe(y === null ? null : typeof y)} (not a tensor)`;
    failAs(arg, `one-hot labels [${rows ?? 'N'}, ${k} classes]`, got);
  }
  const [badValue, badRow, rowSum] = tf.tidy(() => {
    const ok = tf.logicalAnd(tf.isFinite(y), tf.logicalAnd(tf.greaterEqual(y, 0), tf.lessEqual(y, 1)));
    const sums = tf.sum(tf.where(ok, y, tf.zerosLike(y)), 1);
    const rowOk = tf.logicalAnd(tf.all(ok, 1), tf.lessEqual(tf.abs(tf.sub(sums, 1)), 1e-3));
    const bad = tf.logicalNot(rowOk);
    const any = tf.any(bad).dataSync()[0];
    if (!any) return [false, -1, 0];
    const row = tf.argMax(tf.cast(bad, 'int32')).dataSync()[0];
    return [!tf.all(tf.gather(ok, row)).dataSync()[0], row, tf.gather(sums, row).dataSync()[0]];
  }) as [boolean, number, number];
  if (badRow < 0) return;
  const what = badValue
    ? `row ${badRow} holding a value outside [0, 1] or not finite`
    : `row ${badRow} summing to ${rowSum}${rowSum === 0 ? ` (tf.oneHot gives an all-zero row for a label outside [0, ${k}))` : ''}`;
  failAs(arg, `one-hot rows of ${k} classes (values in [0, 1], each row summing to 1)`, what);
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
