/**
 * Long runs do not accumulate tensors: 200 training steps (the library recipe through `fitSke2Grid`,
 * and the benchmark's step with and without gradient accumulation) and 1000 inference calls leave
 * `tf.memory()` where it was (cpu backend, tiny model).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrainingStep } from '../../bench/trainingStep.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { fitSke2Grid } from '../../src/training/fitSke2Grid.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

/** The tiny model cut to two blocks (no residual; strided, with a 1x1 conv residual) and 4 frames, so 200 steps stay fast. */
const CONFIG = {
  ...TINY,
  frames: 4,
  blocks: [
    { filters: 4, stride: 1 },
    { filters: 8, stride: 2 },
  ],
  seed: 3,
};

function data(n: number): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.randomNormal([n, 2, 4, 17, 3], 0, 1, 'float32', 5),
    y: tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 3),
        'int32',
      ),
      3,
    ),
  }));
}

const memory = () => ({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes });

/** Records `tf.memory().numTensors` at the end of every batch, grouped by epoch. */
class TensorCountRecorder extends tfl.Callback {
  readonly counts: number[][] = [];

  override async onBatchBegin(batch: number): Promise<void> {
    if (batch === 0) this.counts.push([]);
  }

  override async onBatchEnd(): Promise<void> {
    this.counts[this.counts.length - 1].push(tf.memory().numTensors);
  }
}
const firstKernel = (m: tfl.LayersModel) => m.getLayer('block0').getWeights()[0].dataSync().slice();

describe('memory stays flat over long runs (cpu backend)', () => {
  beforeAll(() => useBackend('cpu'));

  it('fitSke2Grid: 200 steps add nothing per step, and everything is released afterwards', async () => {
    const baseline = memory();
    const { x, y } = data(10);
    const model = buildSke2Grid(CONFIG);
    const before = firstKernel(model);
    const recorder = new TensorCountRecorder();
    const history = await fitSke2Grid(model, x, y, { epochs: 40, batchSize: 2, callbacks: [recorder] });
    const counts = recorder.counts; // [epoch][batch] -> tensors at the end of that batch
    expect(counts.flat()).toHaveLength(200);
    expect((history.history.loss as number[]).every(Number.isFinite)).toBe(true);
    expect(firstKernel(model)).not.toEqual(before); // it really trained
    // Within an epoch nothing accumulates (epoch 0 first creates the momentum buffers) ...
    for (const epoch of counts.slice(1)) expect(epoch).toEqual(Array(5).fill(epoch[0]));
    // ... and from one epoch to the next only tfjs' History grows: it holds each epoch's logs (loss, acc) as scalars until fit returns.
    const logged = Object.keys(history.history).length;
    expect(logged).toBe(2);
    for (let e = 2; e < counts.length; e++) expect(counts[e][0] - counts[e - 1][0]).toBe(logged);
    (model.optimizer as tf.Optimizer).dispose();
    model.dispose();
    tf.dispose([x, y]);
    expect(memory()).toEqual(baseline);
  });

  it('the benchmark step: 30 whole-batch and 30 accumulated steps keep the count constant', async () => {
    const baseline = memory();
    const { x, y } = data(4);
    const model = buildSke2Grid(CONFIG);
    for (const microBatch of [4, 2]) {
      const trainer = createTrainingStep(model, { microBatch });
      const losses: number[] = [];
      losses.push(await trainer.step(x, y)); // creates this optimizer's momentum buffers
      const after1 = memory();
      for (let i = 1; i < 30; i++) losses.push(await trainer.step(x, y));
      expect(memory()).toEqual(after1);
      expect(losses.every(Number.isFinite)).toBe(true);
      trainer.dispose();
    }
    model.dispose();
    tf.dispose([x, y]);
    expect(memory()).toEqual(baseline);
  });

  it('1000 predict calls, each read outside tf.tidy, leave the count unchanged', async () => {
    const model = buildSke2Grid(CONFIG);
    const { x, y } = data(1);
    const before = memory();
    let sum = 0;
    for (let i = 0; i < 1000; i++) {
      const logits = model.predict(x) as tf.Tensor;
      sum += (await logits.data())[0];
      logits.dispose();
    }
    expect(Number.isFinite(sum)).toBe(true);
    expect(memory()).toEqual(before);
    model.dispose();
    tf.dispose([x, y]);
  });
});
