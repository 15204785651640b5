import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { greedyAssignment, isPermutation } from '../../src/ops/greedyAssignment.js';
import { logitsCrossEntropy } from '../../src/training/fitSke2Grid.js';
import { PermutationSync, syncPermutations } from '../../src/training/permutationSync.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

/** Scores within 1e-4 of each other, so the first optimizer steps are sure to reorder them. */
function nearlyTiedScores(model: ReturnType<typeof buildSke2Grid>): void {
  for (const g of gits(model)) {
    const n = g.nodes;
    tf.tidy(() => void g.variable('scores').write(tf.add(tf.mul(tf.randomUniform([n, n]), 1e-4), 0.5)));
    g.updatePermutation();
  }
}

const gits = (m: ReturnType<typeof buildSke2Grid>) => m.layers.filter((l): l is GridIndexTransform => l instanceof GridIndexTransform);
const greedyOfScores = (g: GridIndexTransform) => greedyAssignment(g.variable('scores').read().dataSync() as Float32Array, g.nodes);

function data(n: number) {
  return tf.tidy(() => {
    const x = tf.randomNormal([n, 2, 8, 17, 3]);
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 3),
        'int32',
      ),
      3,
    );
    return { x, y };
  });
}

for (const backend of ['cpu', 'wasm']) {
  describe(`permutation stays in step with its scores on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('during fit, with the PermutationSync callback', async () => {
      const model = buildSke2Grid({ ...TINY, gridShape: [6, 6], stages: [17, 25] });
      nearlyTiedScores(model);
      const initial = gits(model).map((g) => g.getPermutation());
      model.compile({ optimizer: tf.train.sgd(5), loss: logitsCrossEntropy });
      const { x, y } = data(6);
      const seen: number[][][] = [];
      await model.fit(x, y, {
        epochs: 2,
        batchSize: 2,
        verbose: 0,
        callbacks: [new PermutationSync(), new tfl.CustomCallback({ onBatchEnd: async () => void seen.push(gits(model).map((g) => g.getPermutation())) })],
      });
      for (const g of gits(model)) {
        expect(isPermutation(g.getPermutation(), g.nodes)).toBe(true);
        expect(g.getPermutation()).toEqual(greedyOfScores(g));
      }
      expect(gits(model).map((g) => g.getPermutation())).not.toEqual(initial);
      expect(seen.length).toBe(6);
      tf.dispose([x, y]);
      model.dispose();
    });

    it('in a custom loop, with syncPermutations after each step', () => {
      const model = buildSke2Grid(TINY);
      nearlyTiedScores(model);
      const git = gits(model)[0];
      const initial = git.getPermutation();
      const optimizer = tf.train.sgd(5);
      const { x, y } = data(4);
      for (let step = 0; step < 3; step++) {
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
        tf.dispose(loss ?? []);
        const [p] = syncPermutations(model);
        expect(p).toEqual(greedyOfScores(git));
      }
      expect(git.getPermutation()).not.toEqual(initial);
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    });

    it('leaves frozen stages alone', async () => {
      const model = buildSke2Grid({ ...TINY, gridShape: [6, 6], stages: [17, 25] });
      const [first] = gits(model);
      first.trainable = false;
      model.getLayer('upt_stage0').trainable = false;
      const scores = Array.from(first.variable('scores').read().dataSync());
      const perm = first.getPermutation();
      model.compile({ optimizer: tf.train.sgd(5), loss: logitsCrossEntropy });
      const { x, y } = data(4);
      await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0, callbacks: [new PermutationSync()] });
      expect(Array.from(first.variable('scores').read().dataSync())).toEqual(scores);
      expect(first.getPermutation()).toEqual(perm);
      tf.dispose([x, y]);
      model.dispose();
    });
  });
}

describe('straight-through estimator', () => {
  beforeAll(() => useBackend('cpu'));

  it('passes dL/dP to the scores and P^T dL/dy to the input', () => {
    const layer = new GridIndexTransform({ nodes: 4 });
    layer.build([null, 1, 2, 4, 2]);
    layer.setPermutation([2, 0, 3, 1]);
    const x = tf.randomNormal([1, 1, 2, 4, 2]);
    const w = tf.randomNormal([1, 1, 2, 4, 2]);
    const scores = layer.variable('scores').read() as tf.Variable;
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar, [scores]);
    // dL/dP[r, j] = sum over (b, m, t, c) of w[..., r, c] * x[..., j, c]
    const expected = tf.einsum('rk,jk->rj', tf.reshape(tf.transpose(w, [3, 0, 1, 2, 4]), [4, -1]), tf.reshape(tf.transpose(x, [3, 0, 1, 2, 4]), [4, -1]));
    expect(tf.max(tf.abs(tf.sub(grads[scores.name], expected))).dataSync()[0]).toBeLessThan(1e-5);
    const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(layer.apply(xi, { training: true }) as tf.Tensor, w)))(x);
    const perm = [2, 0, 3, 1];
    const wv = w.arraySync() as number[][][][][];
    const dxv = dx.arraySync() as number[][][][][];
    perm.forEach((j, r) => expect(dxv[0][0][1][j]).toEqual(wv[0][0][1][r]));
    const y = layer.apply(x) as tf.Tensor;
    const xv = x.arraySync() as number[][][][][];
    const yv = y.arraySync() as number[][][][][];
    perm.forEach((j, r) => expect(yv[0][0][0][r]).toEqual(xv[0][0][0][j]));
  });

  it('Gumbel ranking gives a permutation that can differ from the noise-free one', () => {
    const layer = new GridIndexTransform({ nodes: 16, gumbelNoise: true });
    layer.build([null, 1, 2, 16, 2]);
    const plain = layer.updatePermutation();
    let differs = false;
    for (let i = 0; i < 5; i++) {
      const noisy = layer.updatePermutation({ noise: true });
      expect(isPermutation(noisy, 16)).toBe(true);
      differs ||= noisy.join() !== plain.join();
    }
    expect(differs).toBe(true);
    expect(layer.updatePermutation()).toEqual(plain);
  });

  it('rejects a non-permutation', () => {
    const layer = new GridIndexTransform({ name: 'git', nodes: 3 });
    layer.build([null, 1, 2, 3, 2]);
    expect(() => layer.setPermutation([0, 0, 1])).toThrow('git permutation: expected a permutation of 0..2, got [0, 0, 1]');
  });
});
