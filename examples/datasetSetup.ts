/**
 * Shared setup of the dataset examples: command-line options, opening a dataset directory (the
 * manifest + float32 format) and the recipe the library derives from it (`recipeFor`, the same
 * code `ske2grid train` runs): model config, train / test pipelines and the training batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import {
  clipBatchDataset,
  datasetSplit,
  recipeFor,
  recipePipelines,
  type ClipBatchDataset,
  type RecipeOptions,
  type RecipePipelines,
  type TrainingRecipe,
} from '../src/index.js';
import { openSkeletonDataset, type SkeletonDataset } from '../src/node.js';

/** Reads `--name value` from the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** A numeric option, or undefined when absent. */
const numberOption = (name: string): number | undefined => (process.argv.includes(name) ? Number(option(name, '')) : undefined);
/** A comma-separated numeric option (`--epochs 20,10`), or undefined when absent. */
export const listOption = (name: string): number[] | undefined => (process.argv.includes(name) ? option(name, '').split(',').map(Number) : undefined);

/** Everything the examples need to train and evaluate on one dataset split. */
export interface ExampleData {
  data: SkeletonDataset;
  /** The recipe derived from the manifest, with the command line's values. */
  recipe: TrainingRecipe;
  /** Model config (first grid) and clip pipelines of the recipe. */
  pipelines: RecipePipelines;
  train: ClipBatchDataset;
  testIndices: number[];
}

/** Opens `--data` (default: UTKinect beside the repository), derives the recipe and builds the training batches. */
export async function setUpDataset(extra: RecipeOptions = {}): Promise<ExampleData> {
  await tf.setBackend(option('--backend', 'wasm'));
  await tf.ready();
  const data = await openSkeletonDataset(option('--data', '../shared/datasets/utkinect'));
  const given: RecipeOptions = {
    protocol: process.argv.includes('--protocol') ? option('--protocol', '') : undefined,
    fold: numberOption('--fold'),
    clipLength: numberOption('--frames'),
    batchSize: numberOption('--batch'),
    width: numberOption('--width'),
    testClips: numberOption('--clips'),
    seed: numberOption('--seed'),
    epochs: listOption('--epochs'),
    ...extra,
  };
  let recipe = recipeFor(data.manifest, Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
  if (recipe.folds > 0 && recipe.fold === null) recipe = { ...recipe, fold: 0 }; // the examples train one fold
  const split = datasetSplit(data.manifest, recipe.protocol, recipe.fold ?? undefined);
  const pipelines = recipePipelines(recipe, data.layout);
  const train = clipBatchDataset(data, {
    indices: split.train,
    numClasses: recipe.numClasses,
    batchSize: recipe.batchSize,
    seed: recipe.seed,
    clips: pipelines.train,
  });
  console.log(
    `${recipe.dataset}: ${data.size} clips, ${recipe.numClasses} classes, ${recipe.joints} joints, channels ${recipe.channels.join(', ')}, ${recipe.persons} person(s); ` +
      `protocol ${recipe.protocol}: ${split.train.length} train / ${split.test.length} test; backend ${tf.getBackend()}`,
  );
  return { data, recipe, pipelines, train, testIndices: split.test };
}
