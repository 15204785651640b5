import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { checkSkeletonInput } from '../../src/model/checkSkeletonInput.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

describe('checkSkeletonInput', () => {
  let model: ReturnType<typeof buildSke2Grid>;
  beforeAll(async () => {
    await useBackend('cpu');
    model = buildSke2Grid(TINY);
  });

  it('accepts a well-formed batch without leaking', () => {
    const x = tf.zeros([2, 2, 8, 17, 3]);
    const before = tf.memory().numTensors;
    checkSkeletonInput(model, x);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('names the joint count of the layout', () => {
    const x = tf.zeros([2, 2, 8, 25, 3]);
    expect(() => checkSkeletonInput(model, x)).toThrow("x: expected [batch, 2 persons, 8 frames, 17 joints (layout 'coco'), 3 channels], got [2, 2, 8, 25, 3]");
    x.dispose();
  });

  it('rejects the wrong rank', () => {
    const x = tf.zeros([2, 8, 17, 3]);
    expect(() => checkSkeletonInput(model, x, 'clip')).toThrow(/clip: expected \[batch, 2 persons/);
    x.dispose();
  });

  it('finds NaN and Infinity with their position', () => {
    const data = new Float32Array(2 * 2 * 8 * 17 * 3);
    data[((1 * 2 + 0) * 8 + 5) * 51 + 4 * 3 + 2] = NaN;
    const x = tf.tensor(data, [2, 2, 8, 17, 3]);
    expect(() => checkSkeletonInput(model, x)).toThrow('x: expected finite values, got NaN at [1, 0, 5, 4, 2]');
    data.fill(0);
    data[7] = -Infinity;
    const y = tf.tensor(data, [2, 2, 8, 17, 3]);
    expect(() => checkSkeletonInput(model, y)).toThrow(/got -Infinity at \[0, 0, 0, 2, 1\]/);
    tf.dispose([x, y]);
  });
});
