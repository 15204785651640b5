import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { columnMeans, columnSums } from '../../src/ops/columnSums.js';
import { useBackend } from '../helpers/backends.js';

for (const backend of ['cpu', 'wasm']) {
  describe(`columnSums and columnMeans on ${backend}`, () => {
    it('hand-computed sums and means of a 3 x 2 matrix (3 rows: a prime row count)', async () => {
      await useBackend(backend);
      const m = tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      const before = tf.memory().numTensors;
      const sums = columnSums(m);
      const means = columnMeans(m);
      expect(sums.shape).toEqual([2]);
      Array.from(await sums.data()).forEach((v, i) => expect(v).toBeCloseTo([9, 12][i], 5));
      Array.from(await means.data()).forEach((v, i) => expect(v).toBeCloseTo([3, 4][i], 6));
      tf.dispose([sums, means]);
      expect(tf.memory().numTensors).toBe(before);
      m.dispose();
    });

    it('equal tf.sum / tf.mean over axis 0 for one row, 97 rows and 12000 rows', async () => {
      await useBackend(backend);
      for (const rows of [1, 97, 12000]) {
        const m = tf.randomNormal([rows, 7], 1, 2, 'float32', rows) as tf.Tensor2D;
        const check = (ours: tf.Tensor, ref: tf.Tensor) => {
          const err = tf.tidy(() => tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0] / tf.max(tf.abs(ref)).dataSync()[0]);
          expect(err, `${rows} rows`).toBeLessThan(1e-5);
        };
        const [s, sRef, mean, meanRef] = [columnSums(m), tf.sum(m, 0), columnMeans(m), tf.mean(m, 0)];
        check(s, sRef);
        check(mean, meanRef);
        tf.dispose([m, s, sRef, mean, meanRef]);
      }
    });
  });
}
