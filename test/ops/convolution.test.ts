import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dValid, takeEveryAlongTime } from '../../src/ops/convolution.js';
import { useBackend } from '../helpers/backends.js';

/** Gradients of the built-in conv2d (cpu backend has Conv2DBackpropFilter) as the reference. */
function referenceGrads(x: tf.Tensor4D, f: tf.Tensor4D, strides: [number, number], w: tf.Tensor) {
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, 'valid'), w)))([x, f]);
}

describe('conv2dValid custom gradient', () => {
  for (const backend of ['cpu', 'wasm']) {
    describe(backend, () => {
      beforeAll(() => useBackend(backend));
      const cases: [string, [number, number, number, number], [number, number, number, number], [number, number]][] = [
        ['3x3 grid conv', [3, 7, 7, 4], [3, 3, 4, 5], [1, 1]],
        ['9-tap temporal conv, stride 2, even length', [2, 20, 4, 3], [9, 1, 3, 6], [2, 1]],
        ['9-tap temporal conv, stride 2, odd length', [2, 19, 3, 3], [9, 1, 3, 2], [2, 1]],
        ['one output row', [2, 9, 2, 3], [9, 1, 3, 2], [2, 1]],
      ];
      for (const [name, xShape, fShape, strides] of cases) {
        it(`${name}: value and both gradients equal tfjs' conv2d`, async () => {
          await useBackend('cpu');
          const x = tf.randomNormal(xShape) as tf.Tensor4D;
          const f = tf.randomNormal(fShape) as tf.Tensor4D;
          const y = tf.conv2d(x, f, strides, 'valid');
          const w = tf.randomNormal(y.shape);
          const [rdx, rdf] = referenceGrads(x, f, strides, w);
          const values = await Promise.all([x, f, w, y, rdx, rdf].map((t) => t.data()));
          await useBackend(backend);
          const [x2, f2, w2, y2ref, dxRef, dfRef] = [x, f, w, y, rdx, rdf].map((t, i) => tf.tensor(values[i], t.shape));
          const before = tf.memory().numTensors;
          const y2 = conv2dValid(x2 as tf.Tensor4D, f2 as tf.Tensor4D, strides);
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dValid(a as tf.Tensor4D, b as tf.Tensor4D, strides), w2)))([x2, f2]);
          const rel = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0]);
          expect(rel(y2, y2ref)).toBeLessThan(1e-5);
          expect(rel(dx, dxRef)).toBeLessThan(1e-5);
          expect(rel(df, dfRef)).toBeLessThan(1e-5);
          tf.dispose([y2, dx, df]);
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose([x2, f2, w2, y2ref, dxRef, dfRef]);
          await useBackend('cpu');
          tf.dispose([x, f, w, y, rdx, rdf]);
        });
      }
    });
  }
});

describe('takeEveryAlongTime', () => {
  beforeAll(() => useBackend('cpu'));
  it('keeps t = 0, s, 2s, ... and passes gradients back to those frames only', () => {
    const x = tf.reshape(tf.range(0, 7), [1, 7, 1]);
    expect(Array.from(takeEveryAlongTime(x, 2).dataSync())).toEqual([0, 2, 4, 6]);
    expect(Array.from(takeEveryAlongTime(x, 3).dataSync())).toEqual([0, 3, 6]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(takeEveryAlongTime(t, 2)))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 0, 1, 0, 1, 0, 1]);
  });
});
