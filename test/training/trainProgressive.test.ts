import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { loadModel, saveModel } from '../../src/node/fileIO.js';
import { buildSke2Grid, getModelConfig } from '../../src/model/buildSke2Grid.js';
import { trainProgressive } from '../../src/training/trainProgressive.js';
import { clipBatchDataset } from '../../src/data/clipBatches.js';
import { formatClips } from '../../src/data/transforms/formatClips.js';
import type { SkeletonSequence } from '../../src/data/skeletonSequence.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

/** Clips whose class shifts a few joints: learnable in a few steps. */
function separable(n: number) {
  return tf.tidy(() => {
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const shift = tf.tensor(
      labels.flatMap((l) => Array.from({ length: 17 }, (_, j) => (j % 3 === l ? 1.5 : 0))),
      [n, 1, 1, 17, 1],
    );
    const x = tf.add(tf.mul(tf.randomNormal([n, 2, 8, 17, 3]), 0.3), shift);
    return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), 3) };
  });
}

const losses = (h: tfl.History) => h.history.loss as number[];

describe('trainProgressive', () => {
  beforeAll(() => useBackend('wasm'));

  it('trains on a streamed batch dataset, stage by stage, with decreasing loss', async () => {
    const before = tf.memory().numTensors;
    const { x, y } = separable(24);
    const values = (await x.data()) as Float32Array; // [24, 2, 8, 17, 3]: already [M][T][V][C] per sample
    tf.dispose([x, y]);
    const per = 2 * 8 * 17 * 3;
    const sequences: SkeletonSequence[] = Array.from({ length: 24 }, (_, i) => ({
      keypoint: values.slice(i * per, (i + 1) * per),
      persons: 2,
      frames: 8,
      joints: 17,
      dims: 3,
      label: i % 3,
    }));
    const dataset = clipBatchDataset(sequences, { clips: (s) => formatClips(s), numClasses: 3, batchSize: 8 });
    const initial = buildSke2Grid(TINY);
    const { model, histories } = await trainProgressive(initial, dataset, {
      stages: [
        { gridShape: [5, 5], epochs: 4 },
        { gridShape: [6, 6], epochs: 1 },
      ],
      learningRate: 0.05,
    });
    expect(histories.map((h) => h.gridShape[0])).toEqual([5, 6]);
    expect(getModelConfig(model).gridShape).toEqual([6, 6]);
    const first = losses(histories[0].history);
    expect(first).toHaveLength(4);
    expect(first[3]).toBeLessThan(first[0]);
    initial.optimizer?.dispose();
    initial.dispose();
    model.optimizer?.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains 5x5, grows to 6x6 and trains again, with decreasing loss', async () => {
    const before = tf.memory().numTensors;
    const { x, y } = separable(24);
    const stagesSeen: number[] = [];
    const initial = buildSke2Grid(TINY);
    const { model, histories } = await trainProgressive(initial, x, y, {
      stages: [
        { gridShape: [5, 5], epochs: 4 },
        { gridShape: [6, 6], epochs: 2 },
      ],
      batchSize: 8,
      learningRate: 0.05,
      onStageEnd: (m, stage) => void stagesSeen.push(getModelConfig(m).gridShape[0] * 10 + stage),
    });
    expect(stagesSeen).toEqual([50, 61]);
    expect(histories.map((h) => h.gridShape)).toEqual([
      [5, 5],
      [6, 6],
    ]);
    const first = losses(histories[0].history);
    expect(first.length).toBe(4);
    expect(first[3]).toBeLessThan(first[0]);
    const second = losses(histories[1].history);
    expect(second[1]).toBeLessThan(first[0]);
    expect(getModelConfig(model).stages).toEqual([17, 25]);
    expect(model.getLayer('git_stage0').trainable).toBe(false);
    expect(model.getLayer('git_stage1').trainable).toBe(true);
    for (const m of [initial, model]) {
      m.optimizer.dispose();
      m.dispose();
    }
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('starts each stage at its own learning rate when the stage names one', async () => {
    const before = tf.memory().numTensors;
    const { x, y } = separable(8);
    const firstRates: number[] = [];
    class FirstRate extends tfl.Callback {
      private seen = false;
      override async onTrainBegin(): Promise<void> {
        this.seen = false;
      }
      override async onBatchBegin(): Promise<void> {
        if (!this.seen) firstRates.push((this.model.optimizer as unknown as { learningRate: number }).learningRate);
        this.seen = true;
      }
    }
    const initial = buildSke2Grid(TINY);
    const { model } = await trainProgressive(initial, x, y, {
      stages: [
        { gridShape: [5, 5], epochs: 1 },
        { gridShape: [6, 6], epochs: 1, learningRate: 0.01 },
        { gridShape: [7, 7], epochs: 1 },
      ],
      batchSize: 8,
      learningRate: 0.05,
      callbacks: [new FirstRate()],
    });
    expect(firstRates.map((r) => Number(r.toFixed(6)))).toEqual([0.05, 0.01, 0.05]);
    await expect(trainProgressive(model, x, y, { stages: [{ gridShape: [7, 7], epochs: 1, learningRate: -1 }], batchSize: 8 })).rejects.toThrow(
      'options.stages[0].learningRate: expected a finite number > 0, got -1',
    );
    for (const m of [initial, model]) {
      m.optimizer.dispose();
      m.dispose();
    }
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resumes after a completed stage and checks the model matches the schedule', async () => {
    const { x, y } = separable(6);
    const five = buildSke2Grid(TINY);
    await expect(
      trainProgressive(five, x, y, {
        stages: [
          { gridShape: [5, 5], epochs: 1 },
          { gridShape: [6, 6], epochs: 1 },
        ],
        completedStages: 1,
        batchSize: 6,
      }),
    ).resolves.toMatchObject({ histories: [{ stage: 1, gridShape: [6, 6] }] });
    await expect(trainProgressive(five, x, y, { stages: [{ gridShape: [6, 6], epochs: 1 }] })).rejects.toThrow(
      'model: expected a 6x6 Ske2Grid model for stage 0, got 5x5',
    );
    await expect(
      trainProgressive(five, x, y, {
        stages: [
          { gridShape: [5, 5], epochs: 1 },
          { gridShape: [5, 5], epochs: 1 },
        ],
      }),
    ).rejects.toThrow(/stages\[1\].gridShape: expected a grid larger than stage 0's 5x5/);
    five.dispose();
    tf.dispose([x, y]);
  });

  it('resumes a schedule from a checkpoint saved at the end of a stage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ske2grid-resume-'));
    const { x, y } = separable(6);
    const stages = [
      { gridShape: [5, 5] as [number, number], epochs: 1 },
      { gridShape: [6, 6] as [number, number], epochs: 1 },
    ];
    const first = buildSke2Grid(TINY);
    let saved: number[] = [];
    // Train only stage 0 (a one-stage schedule) and checkpoint it.
    await trainProgressive(first, x, y, {
      stages: stages.slice(0, 1),
      batchSize: 6,
      onStageEnd: async (m) => {
        await saveModel(m, join(dir, 'stage0'));
        saved = (m.getLayer('git_stage0') as GridIndexTransform).getPermutation();
      },
    });
    const restored = await loadModel(join(dir, 'stage0'));
    expect((restored.getLayer('git_stage0') as GridIndexTransform).getPermutation()).toEqual(saved);
    const { model, histories } = await trainProgressive(restored, x, y, { stages, completedStages: 1, batchSize: 6 });
    expect(histories.map((h) => h.stage)).toEqual([1]);
    expect(getModelConfig(model).gridShape).toEqual([6, 6]);
    expect((model.getLayer('git_stage0') as GridIndexTransform).getPermutation()).toEqual(saved);
    for (const m of [first, restored, model]) {
      m.optimizer?.dispose();
      m.dispose();
    }
    tf.dispose([x, y]);
    rmSync(dir, { recursive: true, force: true });
  });
});
