/** `ske2grid evaluate --model DIR --data DIR`: multi-clip test accuracy of a saved model on a dataset split. */
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { datasetSplit } from '../../data/readers/datasetManifest.js';
import { getModelConfig } from '../../model/buildSke2Grid.js';
import { checkModelData } from '../../model/checkModelData.js';
import { openSkeletonDataset } from '../../node/datasetDirectory.js';
import { evaluateSequences } from '../../training/evaluateSequences.js';
import { defaultProtocol, recipeFor, type TrainingRecipe } from '../../training/recipeFor.js';
import { recipePipelines } from '../../training/recipePipelines.js';
import { selectBackend } from '../backend.js';
import { CliUsageError, integerOption, requiredOption, stringOption, type CliCommand } from '../command.js';
import { describeRecipeData, jointRolesOption } from '../recipeOptions.js';
import { openTrainedModel } from '../trainedModel.js';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** The `evaluate` subcommand. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'Test a saved model on a dataset directory (multi-clip, the recipe saved with the model).',
  usage: '--model DIR --data DIR [options]',
  options: {
    model: { type: 'string', value: 'DIR', help: 'a `ske2grid train` output directory or a model directory', required: true },
    data: { type: 'string', value: 'DIR', help: 'dataset directory', required: true },
    protocol: { type: 'string', value: 'NAME', help: "protocol to test on (default: the recipe's when the data has it, else the data's first)" },
    fold: { type: 'string', value: 'K', help: "fold of a protocol with folds (default: the recipe's)" },
    clips: { type: 'string', value: 'N', help: "test clips per sample (default: the recipe's, 10)" },
    joints: { type: 'string', value: 'ROLE=J,...', help: 'normalisation joints when the model has no recipe and the names are unknown' },
    backend: { type: 'string', value: 'NAME', help: 'tfjs backend (default wasm)' },
    out: { type: 'string', value: 'FILE', help: 'also write the metrics (accuracy, confusion matrix) to this JSON file' },
  },
  details:
    'Without a recipe.json next to the model, the recipe is derived from the data (as `ske2grid train` would) with\n' +
    "the model's frames and persons. The model is checked against the data first (joints, persons, channels, frames).",
  async run(args, io) {
    const modelDir = requiredOption(args, 'model');
    const dataDir = requiredOption(args, 'data');
    const clipsOption = integerOption(args, 'clips', 1);
    const foldOption = integerOption(args, 'fold', 0);
    await selectBackend(stringOption(args, 'backend', 'wasm') as string);
    const data = await openSkeletonDataset(dataDir);
    const trained = await openTrainedModel(modelDir);
    try {
      const m = data.manifest;
      const config = getModelConfig(trained.model);
      const saved = trained.recipe;
      const protocol = stringOption(args, 'protocol') ?? (saved && m.splits[saved.protocol] ? saved.protocol : defaultProtocol(m));
      const fold = foldOption ?? (saved && saved.protocol === protocol ? saved.fold : null);
      const recipe: TrainingRecipe = {
        ...(saved ?? recipeFor(m, { protocol, fold, clipLength: config.frames ?? undefined, persons: config.persons, joints: jointRolesOption(args) })),
        protocol,
        fold,
      };
      if (clipsOption !== undefined) recipe.testClips = clipsOption;
      checkModelData(trained.model, describeRecipeData(recipe, m));
      const p = m.splits[protocol];
      if (p?.folds !== undefined && p.train === undefined && fold === null) {
        throw new CliUsageError(`--fold: expected a fold index for protocol ${JSON.stringify(protocol)} (it has ${p.folds.length} folds), got none`);
      }
      const { test } = datasetSplit(m, protocol, fold ?? undefined);
      const { test: clips } = recipePipelines(recipe, data.layout);
      const result = await evaluateSequences(trained.model, data, { indices: test, clips });
      io.out(
        `${m.name} ${protocol}${fold === null ? '' : ` fold ${fold}`} (${test.length} clips, ${recipe.testClips} test clips each): ` +
          `top-1 ${pct(result.top[1])}, top-5 ${pct(result.top[5] ?? 1)}, mean class ${pct(result.meanClassAccuracy)}`,
      );
      const out = stringOption(args, 'out');
      if (out !== undefined) {
        const { probabilities: _p, labels: _l, ...metrics } = result;
        writeFileSync(out, `${JSON.stringify({ dataset: m.name, protocol, fold, model: trained.dir, testSamples: test.length, ...metrics }, null, 1)}\n`);
        io.out(`metrics written to ${out}`);
      }
      return 0;
    } finally {
      (trained.model.optimizer as tf.Optimizer | undefined)?.dispose();
      trained.model.dispose();
      await data.close();
    }
  },
};
