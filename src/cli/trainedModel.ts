/** A model written by `ske2grid train` (or any saved Ske2Grid model) with the recipe saved next to it. */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadModel, MODEL_JSON } from '../node/fileIO.js';
import type { TrainingRecipe } from '../training/recipeFor.js';
import { recipeBesideModel } from './recipeOptions.js';

/** A loaded model, the directory it came from and its recipe (undefined when none was saved with it). */
export interface TrainedModel {
  /** The loaded model. */
  model: LayersModel;
  /** Directory of `model.json`. */
  dir: string;
  /** The recipe saved by `ske2grid train`, when found. */
  recipe?: TrainingRecipe;
}

/** Loads `dir`: a `ske2grid train` output directory (its `model/`) or a model directory itself. */
export async function openTrainedModel(dir: string): Promise<TrainedModel> {
  const given = resolve(dir);
  const modelDir = existsSync(join(given, 'model', MODEL_JSON)) ? join(given, 'model') : given;
  const model = await loadModel(modelDir);
  return { model, dir: modelDir, recipe: recipeBesideModel(modelDir) };
}
