import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fail, failAs } from '../errors.js';
import { getModelConfig } from '../model/buildSke2Grid.js';
import { growSke2Grid } from '../model/growSke2Grid.js';
import type { ClipBatchDataset } from '../data/clipBatches.js';
import { fitSke2Grid, fitSke2GridDataset, type FitSke2GridOptions } from './fitSke2Grid.js';

/** One stage of a progressive schedule: a grid, its epochs and optionally its own base learning rate. */
export interface ProgressiveStage {
  gridShape: [number, number];
  epochs: number;
  /**
   * Base learning rate of this stage's cosine schedule; default the options' `learningRate` (the
   * reference restarts every stage at the same rate). A lower rate for a grown stage keeps more of
   * the trained network.
   */
  learningRate?: number;
}

/** Options of {@link trainProgressive}. */
export interface TrainProgressiveOptions extends Omit<FitSke2GridOptions, 'epochs'> {
  /** The schedule, e.g. 5x5 then 6x6; the model passed in must have the first (or resumed) stage's grid. */
  stages: ProgressiveStage[];
  /** Stages already trained (resume from a checkpoint of stage `completedStages - 1`); default 0. */
  completedStages?: number;
  /** Keep the previous grid's arrangement inside the grown grid; default false (the reference). */
  keepArrangement?: boolean;
  /** Called after each stage (save a checkpoint here); awaited. */
  onStageEnd?: (model: tfl.LayersModel, stage: number, history: tfl.History) => void | Promise<void>;
}

/** What {@link trainProgressive} returns: the final model and one history per trained stage. */
export interface TrainProgressiveResult {
  model: tfl.LayersModel;
  histories: { stage: number; gridShape: [number, number]; history: tfl.History }[];
}

/**
 * Progressive learning in one call: trains the model on the first grid, grows it with
 * {@link growSke2Grid} (earlier UPT/GIT stages frozen), trains the next grid, and so on, with the
 * reference recipe and a fresh cosine schedule per stage. Models of finished stages are disposed
 * once grown. Resume with a checkpointed model and `completedStages`.
 *
 * @example
 * ```ts
 * import type { Tensor } from '@tensorflow/tfjs-core';
 * import { buildSke2Grid, trainProgressive, type ProgressiveStage } from 'ske2grid';
 * declare const x: Tensor, y: Tensor; // clips [N, 2, 100, 17, 3], one-hot labels [N, 60]
 * const stages: ProgressiveStage[] = [{ gridShape: [5, 5], epochs: 16 }, { gridShape: [6, 6], epochs: 16, learningRate: 0.0125 }];
 * const { model, histories } = await trainProgressive(buildSke2Grid({ gridShape: [5, 5] }), x, y, { stages });
 * ```
 */
export async function trainProgressive(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, options: TrainProgressiveOptions): Promise<TrainProgressiveResult>;
/** {@link trainProgressive} on a streamed dataset of batches (e.g. `clipBatchDataset(...)`); `batchSize`/`shuffle`/`validationData` belong to the dataset. */
export async function trainProgressive(model: tfl.LayersModel, dataset: ClipBatchDataset, options: TrainProgressiveOptions): Promise<TrainProgressiveResult>;
export async function trainProgressive(
  model: tfl.LayersModel,
  data: tf.Tensor | ClipBatchDataset,
  yOrOptions: tf.Tensor | TrainProgressiveOptions,
  maybeOptions?: TrainProgressiveOptions,
): Promise<TrainProgressiveResult> {
  const inMemory = data instanceof tf.Tensor;
  const options = (inMemory ? maybeOptions : yOrOptions) as TrainProgressiveOptions;
  if (options == null || typeof options !== 'object') fail('options', '{stages, ...}', options);
  const fitStage = (m: tfl.LayersModel, stage: ProgressiveStage) => {
    const stageFit = { ...fit, epochs: stage.epochs, learningRate: stage.learningRate ?? fit.learningRate };
    return inMemory ? fitSke2Grid(m, data, yOrOptions as tf.Tensor, stageFit) : fitSke2GridDataset(m, data, stageFit);
  };
  const { stages, completedStages = 0, keepArrangement = false, onStageEnd, ...fit } = options;
  if (!Array.isArray(stages) || stages.length === 0) fail('options.stages', 'a non-empty array of {gridShape, epochs}', stages);
  stages.forEach((s, i) => {
    if (!s || !Array.isArray(s.gridShape) || s.gridShape[0] !== s.gridShape[1] || !Number.isInteger(s.epochs) || s.epochs < 1) {
      fail(`options.stages[${i}]`, '{gridShape: [H, H], epochs: integer >= 1}', s);
    }
    if (s.learningRate !== undefined && !(typeof s.learningRate === 'number' && Number.isFinite(s.learningRate) && s.learningRate > 0)) {
      fail(`options.stages[${i}].learningRate`, 'a finite number > 0', s.learningRate);
    }
    if (i > 0 && !(s.gridShape[0] > stages[i - 1].gridShape[0])) {
      failAs(`options.stages[${i}].gridShape`, `a grid larger than stage ${i - 1}'s ${stages[i - 1].gridShape.join('x')}`, s.gridShape.join('x'));
    }
  });
  if (!Number.isInteger(completedStages) || completedStages < 0 || completedStages >= stages.length) {
    fail('options.completedStages', `an integer in [0, ${stages.length - 1}]`, completedStages);
  }
  const startGrid = stages[Math.max(0, completedStages - 1)].gridShape;
  const grid = getModelConfig(model).gridShape;
  if (grid[0] !== startGrid[0] || grid[1] !== startGrid[1]) {
    failAs('model', `a ${startGrid.join('x')} Ske2Grid model for stage ${Math.max(0, completedStages - 1)}`, `${grid.join('x')}`);
  }

  let current = model;
  const histories: TrainProgressiveResult['histories'] = [];
  for (let i = completedStages; i < stages.length; i++) {
    const stage = stages[i];
    if (i > 0) {
      const grown = growSke2Grid(current, { gridShape: stage.gridShape, keepArrangement });
      if (current !== model) {
        current.optimizer?.dispose();
        current.dispose();
      }
      current = grown;
    }
    const history = await fitStage(current, stage);
    histories.push({ stage: i, gridShape: stage.gridShape, history });
    await onStageEnd?.(current, i, history);
  }
  return { model: current, histories };
}
