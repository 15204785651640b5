import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { fail, failAs } from '../errors.js';
import { getModelConfig } from './buildSke2Grid.js';

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
export function checkSkeletonInput(model: LayersModel, x: tf.Tensor, arg = 'x'): void {
  const c = getModelConfig(model);
  const v = c.layout.joints.length;
  const expected = `[batch, ${c.persons} persons, ${c.frames ?? 'any'} frames, ${v} joints (layout '${c.layout.name}'), ${c.inChannels} channels]`;
  const s = x?.shape;
  if (!s || s.length !== 5 || s[1] !== c.persons || (c.frames !== null && s[2] !== c.frames) || s[3] !== v || s[4] !== c.inChannels || s[0] < 1 || s[2] < 1) {
    fail(arg, expected, s ?? x);
  }
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
