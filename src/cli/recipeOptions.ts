/**
 * The recipe on the command line: the options every recipe value can be given with, turned into
 * `RecipeOptions`, and the recipe written next to a trained model (read back by evaluate / predict).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatasetManifest } from '../data/readers/datasetManifest.js';
import { NORMALIZATION_ROLES, type NormalizationJointRoles } from '../data/transforms/normalizationJoints.js';
import { Ske2GridError } from '../errors.js';
import type { DataDescription } from '../model/checkModelData.js';
import type { RecipeOptions, TrainingRecipe } from '../training/recipeFor.js';
import { CliUsageError, numberOption, stringOption, type CliArgs, type CliOption } from './command.js';

/** File name of the recipe written next to a trained model: `'recipe.json'`. */
export const RECIPE_JSON = 'recipe.json';

/** The options that override recipe values (shared by `train`). */
export const RECIPE_CLI_OPTIONS: Record<string, CliOption> = {
  protocol: { type: 'string', value: 'NAME', help: "protocol of the manifest's splits (default: its first with train/test lists or folds)" },
  fold: { type: 'string', value: 'K', help: 'fold of a protocol with folds (default: every fold, and their mean)' },
  grids: { type: 'string', value: 'G,G', help: 'grid side per stage, e.g. 5,6 (default: the smallest grid of at least 5x5, then one larger)' },
  epochs: { type: 'string', value: 'N,N', help: 'epochs per stage (default: from the data size)' },
  lr: { type: 'string', value: 'X,X', help: 'base learning rate per stage (default: 0.1 x batch/32, halved for two persons; a quarter when grown)' },
  batch: { type: 'string', value: 'N', help: 'clips per batch (default 32 from 512 training clips on, else 16)' },
  frames: { type: 'string', value: 'T', help: 'frames per clip (default: the power of two nearest the median clip length)' },
  rotation: { type: 'string', value: 'DEG', help: 'largest random rotation (default 45 for 3D data from several views, else 0)' },
  width: { type: 'string', value: 'N', help: 'channels of the first blocks (default 16)' },
  clips: { type: 'string', value: 'N', help: 'test clips per sample (default 10)' },
  persons: { type: 'string', value: 'M', help: "person slots (default: the data's)" },
  joints: {
    type: 'string',
    value: 'ROLE=J,...',
    help: `normalisation joints by name or index where names are unknown; roles ${NORMALIZATION_ROLES.join(', ')}`,
  },
  seed: { type: 'string', value: 'N', help: 'seed of the model, the shuffling and the augmentations (default 0)' },
  recipe: { type: 'string', value: 'FILE', help: 'a recipe.json to use as is (other recipe options then refused)' },
};

/** A comma-separated list of positive numbers (`--grids 5,6`); undefined when the option is absent. */
export function listOption(args: CliArgs, name: string, integer: boolean): number[] | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const values = text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (values.some((v) => !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)))) {
    throw new CliUsageError(`--${name}: expected a comma-separated list of positive ${integer ? 'integers' : 'numbers'}, got ${JSON.stringify(text)}`);
  }
  return values;
}

/** `--joints spineBase=hip,center=3` as roles (names, or indices when a value is a whole number). */
export function jointRolesOption(args: CliArgs): NormalizationJointRoles | undefined {
  const text = stringOption(args, 'joints');
  if (text === undefined) return undefined;
  const roles: Record<string, string | number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m || !(NORMALIZATION_ROLES as readonly string[]).includes(m[1])) {
      throw new CliUsageError(`--joints: expected ROLE=JOINT pairs with roles among ${NORMALIZATION_ROLES.join(', ')}, got ${JSON.stringify(part)}`);
    }
    roles[m[1]] = /^\d+$/.test(m[2]) ? Number(m[2]) : m[2];
  }
  return roles as NormalizationJointRoles;
}

/** The recipe options given on the command line. */
export function recipeOptionsOf(args: CliArgs): RecipeOptions {
  const int = (name: string) => {
    const v = numberOption(args, name);
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new CliUsageError(`--${name}: expected a positive integer, got ${v}`);
    return v;
  };
  const fold = numberOption(args, 'fold');
  if (fold !== undefined && !(Number.isInteger(fold) && fold >= 0)) throw new CliUsageError(`--fold: expected a fold index >= 0, got ${fold}`);
  const seed = numberOption(args, 'seed');
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new CliUsageError(`--seed: expected an integer, got ${seed}`);
  const rotation = numberOption(args, 'rotation');
  const options: RecipeOptions = {
    protocol: stringOption(args, 'protocol'),
    fold,
    joints: jointRolesOption(args),
    grids: listOption(args, 'grids', true),
    epochs: listOption(args, 'epochs', true),
    learningRates: listOption(args, 'lr', false),
    batchSize: int('batch'),
    clipLength: int('frames'),
    rotationDegrees: rotation,
    width: int('width'),
    testClips: int('clips'),
    persons: int('persons'),
    seed,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RecipeOptions;
}

/** Reads and minimally checks a recipe JSON file (one written by `ske2grid train`). */
export function readRecipe(file: string): TrainingRecipe {
  let recipe: TrainingRecipe;
  try {
    recipe = JSON.parse(readFileSync(file, 'utf8')) as TrainingRecipe;
  } catch (e) {
    throw new Ske2GridError(`${file}: expected a readable recipe JSON, got ${(e as Error).message}`);
  }
  const need = ['dataset', 'protocol', 'kind', 'inChannels', 'persons', 'clipLength', 'normalization', 'stages', 'classes', 'testClips'] as const;
  const missing = need.filter((k) => recipe?.[k] === undefined);
  if (missing.length > 0) throw new Ske2GridError(`${file}: expected a training recipe with ${need.join(', ')}; missing ${missing.join(', ')}`);
  return recipe;
}

/** The recipe saved with a model: `recipe.json` in the model's directory or the one above it; undefined if neither has one. */
export function recipeBesideModel(modelDir: string): TrainingRecipe | undefined {
  for (const dir of [modelDir, dirname(modelDir)]) {
    const file = join(dir, RECIPE_JSON);
    if (existsSync(file)) return readRecipe(file);
  }
  return undefined;
}

/** What the recipe's clips of a dataset give a model (for `checkModelData`): persons and frames of the recipe, joints and channels of the data. */
export function describeRecipeData(recipe: TrainingRecipe, manifest: DatasetManifest): DataDescription {
  const coords = manifest.coords?.names ?? (manifest.format.coord_dims === 3 ? ['x', 'y', 'z'] : ['x', 'y']).slice(0, manifest.format.coord_dims);
  const channelNames = manifest.format.score_file !== undefined ? [...coords, 'score'] : coords;
  return {
    persons: recipe.persons,
    frames: recipe.clipLength,
    joints: manifest.format.num_joints,
    channels: channelNames.length,
    channelNames,
    layoutName: manifest.name,
    source: `dataset ${manifest.name}`,
  };
}
