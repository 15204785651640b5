/** `ske2grid train --data DIR`: a recipe from the data, progressive training, multi-clip evaluation, model + metrics + pictures. */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clipBatchDataset } from '../../data/clipBatches.js';
import { datasetSplit } from '../../data/readers/datasetManifest.js';
import { Ske2GridError } from '../../errors.js';
import { buildSke2Grid, getModelConfig } from '../../model/buildSke2Grid.js';
import { checkModelData } from '../../model/checkModelData.js';
import { stageMixingMatrices } from '../../model/stageMixingMatrices.js';
import { openSkeletonDataset, type SkeletonDataset } from '../../node/datasetDirectory.js';
import { loadModel, saveModel } from '../../node/fileIO.js';
import { bodyPartOfJointName } from '../../pictures/bodyParts.js';
import { gridStageFromMatrix, renderGridSvg, renderUptSvg, shortJointName } from '../../pictures/gridSvg.js';
import { renderTrainingCurvesSvg, type TrainingCurvePoint } from '../../pictures/trainingCurvesSvg.js';
import { evaluateSequences } from '../../training/evaluateSequences.js';
import { formatProgress, ProgressReporter } from '../../training/progress.js';
import { recipeFor, type TrainingRecipe } from '../../training/recipeFor.js';
import { recipePipelines } from '../../training/recipePipelines.js';
import { trainProgressive } from '../../training/trainProgressive.js';
import { selectBackend } from '../backend.js';
import { CliUsageError, requiredOption, stringOption, type CliCommand, type CliIO } from '../command.js';
import { describeRecipeData, readRecipe, RECIPE_CLI_OPTIONS, RECIPE_JSON, recipeOptionsOf } from '../recipeOptions.js';

/** File name of the metrics written next to the model: `'metrics.json'`. */
export const METRICS_JSON = 'metrics.json';

/** Test metrics of one trained grid stage, as `metrics.json` records them. */
export interface StageMetrics {
  /** Grid, e.g. `'5x5'`. */
  grid: string;
  /** Epochs trained in this run (0 for a stage resumed from a checkpoint). */
  epochs: number;
  /** Base learning rate of the stage. */
  learningRate: number;
  /** Top-1 and top-5 accuracy on the test split, in [0, 1]. */
  top1: number;
  top5: number;
  /** Mean class accuracy in [0, 1]. */
  meanClassAccuracy: number;
  /** Seconds of training of the stage. */
  trainSeconds: number;
  /** `[classes][classes]` test counts, rows = true class, columns = predicted. */
  confusion: number[][];
}

/** `metrics.json` of one training run (one split or fold). */
export interface RunMetrics {
  dataset: string;
  protocol: string;
  fold: number | null;
  trainSamples: number;
  testSamples: number;
  backend: string;
  seed: number;
  date: string;
  stages: StageMetrics[];
  /** Per-epoch training loss and accuracy, all stages in order. */
  history: TrainingCurvePoint[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** One plain line per epoch (logs, CI) or a progress bar rewritten in place (terminal). */
function progressCallback(io: CliIO, stageName: () => string, history: TrainingCurvePoint[]): ProgressReporter {
  const bar = io.isTTY && io.write !== undefined;
  return new ProgressReporter((s) => {
    if (s.epochLogs) {
      history.push({ epoch: history.length + 1, loss: s.epochLogs.loss, accuracy: s.epochLogs.acc, stage: stageName() });
      if (bar) io.write?.(`\r${stageName()} ${formatProgress(s)}\n`);
      else {
        const acc = s.epochLogs.acc === undefined ? '' : `, train accuracy ${pct(s.epochLogs.acc)}`;
        io.out(`${stageName()} epoch ${s.epoch + 1}/${s.epochs}: loss ${s.epochLogs.loss.toFixed(4)}${acc}, ${s.samplesPerSecond.toFixed(1)} clips/s`);
      }
    } else if (bar) io.write?.(`\r${stageName()} ${formatProgress(s)}`);
  });
}

/** Trains, evaluates and saves one split (or fold) into `dir`; returns its metrics. */
async function trainRun(data: SkeletonDataset, recipe: TrainingRecipe, dir: string, io: CliIO, backend: string, resume?: string): Promise<RunMetrics> {
  const m = data.manifest;
  const split = datasetSplit(m, recipe.protocol, recipe.fold ?? undefined);
  const pipelines = recipePipelines(recipe, data.layout);
  const initial: LayersModel = resume ? await loadModel(resolve(resume)) : buildSke2Grid(pipelines.model);
  checkModelData(initial, describeRecipeData(recipe, m));
  let completedStages = 0;
  if (resume) {
    const grid = getModelConfig(initial).gridShape[0];
    const at = recipe.stages.findIndex((s) => s.grid === grid);
    if (at < 0)
      throw new Ske2GridError(
        `--resume ${resume}: expected a model of one of the recipe's grids (${recipe.stages.map((s) => `${s.grid}x${s.grid}`).join(', ')}), got ${grid}x${grid}`,
      );
    completedStages = at + 1;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RECIPE_JSON), `${JSON.stringify(recipe, null, 1)}\n`);
  io.out(
    `${m.name} ${recipe.protocol}${recipe.fold === null ? '' : ` fold ${recipe.fold}`}: ${split.train.length} train / ${split.test.length} test clips; ` +
      `${recipe.kind.toUpperCase()}, ${recipe.joints} joints, channels ${recipe.channels.join(', ')}, ${recipe.persons} person(s), T = ${recipe.clipLength}; ` +
      `stages ${recipe.stages.map((s) => `${s.grid}x${s.grid} ${s.epochs} epochs lr ${s.learningRate}`).join(', ')}; batch ${recipe.batchSize}, rotation ${recipe.rotationDegrees}`,
  );

  const history: TrainingCurvePoint[] = [];
  const stages: StageMetrics[] = [];
  const metrics: RunMetrics = {
    dataset: m.name,
    protocol: recipe.protocol,
    fold: recipe.fold,
    trainSamples: split.train.length,
    testSamples: split.test.length,
    backend,
    seed: recipe.seed,
    date: new Date().toISOString(),
    stages,
    history,
  };
  // Written after every stage, so an interrupted run keeps what it finished.
  const writeMetrics = () => writeFileSync(join(dir, METRICS_JSON), `${JSON.stringify(metrics, null, 1)}\n`);
  let stageIndex = completedStages;
  let started = Date.now();
  const gridName = (i: number) => `${recipe.stages[i].grid}x${recipe.stages[i].grid}`;
  const evaluateStage = async (model: LayersModel, i: number, trained: boolean): Promise<void> => {
    const trainSeconds = trained ? (Date.now() - started) / 1000 : 0;
    const result = await evaluateSequences(model, data, { indices: split.test, clips: pipelines.test });
    stages.push({
      grid: gridName(i),
      epochs: trained ? recipe.stages[i].epochs : 0,
      learningRate: recipe.stages[i].learningRate,
      top1: result.top[1],
      top5: result.top[5] ?? 1,
      meanClassAccuracy: result.meanClassAccuracy,
      trainSeconds,
      confusion: result.confusion,
    });
    io.out(
      `${gridName(i)}: test top-1 ${pct(result.top[1])}, top-5 ${pct(result.top[5] ?? 1)}, mean class ${pct(result.meanClassAccuracy)}` +
        (trained ? ` (trained ${trainSeconds.toFixed(0)} s)` : ' (resumed)'),
    );
    writeMetrics();
  };

  let model = initial;
  if (completedStages > 0) await evaluateStage(initial, completedStages - 1, false);
  if (completedStages < recipe.stages.length) {
    const batches = clipBatchDataset(data, {
      indices: split.train,
      numClasses: recipe.numClasses,
      batchSize: recipe.batchSize,
      seed: recipe.seed,
      clips: pipelines.train,
    });
    const result = await trainProgressive(initial, batches, {
      stages: recipe.stages.map((s) => ({ gridShape: [s.grid, s.grid] as [number, number], epochs: s.epochs, learningRate: s.learningRate })),
      keepArrangement: recipe.keepArrangement,
      completedStages,
      callbacks: [progressCallback(io, () => gridName(stageIndex), history)],
      onStageEnd: async (trained, i) => {
        await evaluateStage(trained, i, true);
        if (i < recipe.stages.length - 1) await saveModel(trained, join(dir, `stage-${gridName(i)}`));
        stageIndex = i + 1;
        started = Date.now();
      },
    });
    model = result.model;
  }
  await saveModel(model, join(dir, 'model'));
  writePictures(model, recipe, data, stages, history, dir);
  metrics.date = new Date().toISOString();
  writeMetrics();
  for (const x of new Set([model, initial])) {
    (x.optimizer as tf.Optimizer | undefined)?.dispose();
    x.dispose();
  }
  return metrics;
}

/** The learned grid of every stage, the training curves and the confusion matrix (row-normalised) as SVG files in `dir`. */
function writePictures(
  model: LayersModel,
  recipe: TrainingRecipe,
  data: SkeletonDataset,
  stages: StageMetrics[],
  history: TrainingCurvePoint[],
  dir: string,
): void {
  const joints = data.layout.joints;
  const sides = getModelConfig(model).stageOutputs.map((n) => Math.round(Math.sqrt(n)));
  const grids = stageMixingMatrices(model).map((mix, s) =>
    gridStageFromMatrix(mix, [sides[s], sides[s]], joints.map(shortJointName), (j) => bodyPartOfJointName(joints[j])),
  );
  writeFileSync(join(dir, 'learned-grid.svg'), renderGridSvg(grids, { title: `${recipe.dataset}: strongest joint per grid cell` }));
  if (history.length > 0) writeFileSync(join(dir, 'training-curves.svg'), renderTrainingCurvesSvg(history, { title: `${recipe.dataset}: training` }));
  const last = stages[stages.length - 1];
  if (last) {
    const rows = last.confusion.map((row) => {
      const n = row.reduce((a, b) => a + b, 0);
      return row.map((c) => (n > 0 ? c / n : 0));
    });
    writeFileSync(
      join(dir, 'confusion.svg'),
      renderUptSvg(rows, recipe.classes, recipe.classes, { title: `${recipe.dataset} ${last.grid}: test confusion (rows: true class, share predicted)` }),
    );
  }
}

/** The `train` subcommand. */
export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train Ske2Grid on a dataset directory with a recipe derived from the data; save model, metrics, recipe and pictures.',
  usage: '--data DIR [options]',
  options: {
    data: { type: 'string', value: 'DIR', help: 'dataset directory (manifest.json + data.f32)', required: true },
    out: { type: 'string', value: 'DIR', help: 'output directory (default ske2grid-<dataset>)' },
    backend: { type: 'string', value: 'NAME', help: 'tfjs backend: wasm, cpu, webgl, webgpu or tensorflow (default wasm)' },
    resume: {
      type: 'string',
      value: 'DIR',
      help: 'start from a saved model (a stage-GxG or model directory): finished stages are evaluated, the rest trained',
    },
    ...RECIPE_CLI_OPTIONS,
  },
  details: [
    'Writes into --out: recipe.json (every value used, with the reason for each default), model/ (model.json +',
    'weights.bin, for `ske2grid evaluate|predict` and `loadModel`), stage-GxG/ (earlier grid stages),',
    'metrics.json (test accuracy per stage, confusion matrix, per-epoch loss), learned-grid.svg,',
    'training-curves.svg and confusion.svg. A protocol with folds trains every fold into fold-K/ (or --fold K)',
    'and writes their mean to metrics.json. Progress: a bar on a terminal, one line per epoch otherwise.',
  ].join('\n'),
  async run(args, io) {
    const dataDir = requiredOption(args, 'data');
    const recipeFile = stringOption(args, 'recipe');
    const overrides = recipeOptionsOf(args);
    if (recipeFile !== undefined && Object.keys(overrides).length > 0) {
      throw new CliUsageError(`--recipe: expected no other recipe option with it (edit the file instead), got ${Object.keys(overrides).join(', ')}`);
    }
    const backend = stringOption(args, 'backend', 'wasm') as string;
    await selectBackend(backend);
    const data = await openSkeletonDataset(dataDir);
    try {
      const recipe = recipeFile !== undefined ? readRecipe(recipeFile) : recipeFor(data.manifest, overrides);
      const out = resolve(stringOption(args, 'out', `ske2grid-${data.manifest.name}`) as string);
      const resume = stringOption(args, 'resume');
      for (const note of recipe.notes) io.out(`recipe: ${note}`);
      if (recipe.folds === 0 || recipe.fold !== null) {
        const metrics = await trainRun(data, recipe, out, io, backend, resume);
        const last = metrics.stages[metrics.stages.length - 1];
        io.out(`saved ${join(out, 'model')} (${last.grid}, test top-1 ${pct(last.top1)}), metrics, recipe and pictures in ${out}`);
        return 0;
      }
      if (resume !== undefined) throw new CliUsageError('--resume: expected --fold K with it (a protocol with folds trains one model per fold)');
      const runs: RunMetrics[] = [];
      for (let k = 0; k < recipe.folds; k++) runs.push(await trainRun(data, { ...recipe, fold: k }, join(out, `fold-${k}`), io, backend));
      const mean = runs[0].stages.map((s, i) => ({
        grid: s.grid,
        top1: runs.reduce((a, r) => a + r.stages[i].top1, 0) / runs.length,
        meanClassAccuracy: runs.reduce((a, r) => a + r.stages[i].meanClassAccuracy, 0) / runs.length,
        trainSeconds: runs.reduce((a, r) => a + r.stages[i].trainSeconds, 0),
      }));
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, RECIPE_JSON), `${JSON.stringify(recipe, null, 1)}\n`);
      writeFileSync(
        join(out, METRICS_JSON),
        `${JSON.stringify({ dataset: data.manifest.name, protocol: recipe.protocol, folds: recipe.folds, backend, mean, runs }, null, 1)}\n`,
      );
      for (const s of mean) io.out(`${s.grid}: mean test top-1 over ${recipe.folds} folds ${pct(s.top1)} (mean class ${pct(s.meanClassAccuracy)})`);
      io.out(`saved one model per fold in ${join(out, 'fold-K', 'model')}; the mean in ${join(out, METRICS_JSON)}`);
      return 0;
    } finally {
      await data.close();
    }
  },
};
