/** `ske2grid predict --model DIR <clip.json>`: the classes a trained model gives one recording. */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { Ske2GridError } from '../../errors.js';
import { checkModelData } from '../../model/checkModelData.js';
import { getModelConfig } from '../../model/buildSke2Grid.js';
import { averageClipScores } from '../../training/metrics.js';
import { recipePipelines } from '../../training/recipePipelines.js';
import { selectBackend } from '../backend.js';
import { sequenceFromClipJson } from '../clipJson.js';
import { integerOption, requiredOption, stringOption, type CliCommand } from '../command.js';
import { openTrainedModel } from '../trainedModel.js';

/** The `predict` subcommand. */
export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'Classify one recording (a clip JSON file) with a model trained by `ske2grid train`.',
  usage: '--model DIR <clip.json> [options]',
  positionals: { min: 1, max: 1 },
  options: {
    model: { type: 'string', value: 'DIR', help: 'a `ske2grid train` output directory (model/ and recipe.json)', required: true },
    top: { type: 'string', value: 'K', help: 'classes to list (default 5)' },
    json: { type: 'boolean', help: 'print the result as JSON instead of lines' },
    backend: { type: 'string', value: 'NAME', help: 'tfjs backend (default wasm)' },
  },
  details: [
    'clip.json: { "keypoints": [frames][persons][joints][coords] (or [frames][joints][coords] for one person),',
    '             "scores": [frames][persons][joints] (optional), "image_height": H, "image_width": W (optional) }',
    "The recording is normalised and sampled as in training (the recipe's test clips, scores averaged).",
  ].join('\n'),
  async run(args, io) {
    const modelDir = requiredOption(args, 'model');
    const top = integerOption(args, 'top', 1, 5) as number;
    const file = args.positionals[0];
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Ske2GridError(`${file}: expected a readable clip JSON, got ${(e as Error).message}`);
    }
    const seq = sequenceFromClipJson(json, file);
    await selectBackend(stringOption(args, 'backend', 'wasm') as string);
    const trained = await openTrainedModel(modelDir);
    try {
      const recipe = trained.recipe;
      if (!recipe) throw new Ske2GridError(`--model ${modelDir}: expected a recipe.json next to the model (written by ske2grid train), got none`);
      const config = getModelConfig(trained.model);
      const names = recipe.channels.filter((c) => c !== 'score');
      checkModelData(trained.model, {
        persons: recipe.persons,
        frames: recipe.clipLength,
        joints: seq.joints,
        channels: seq.dims + (seq.score ? 1 : 0),
        channelNames: seq.dims === names.length ? (seq.score ? [...names, 'score'] : names) : undefined,
        source: file,
      });
      const clips = recipePipelines(recipe, config.layout).test(seq);
      const logits = tf.tidy(() => trained.model.predict(tf.tensor(clips.data, clips.shape)) as tf.Tensor);
      const rows = (await logits.array()) as number[][];
      logits.dispose();
      const probabilities = averageClipScores([rows])[0];
      const ranked = probabilities
        .map((p, k) => ({ class: recipe.classes[k] ?? String(k), index: k, probability: p }))
        .sort((a, b) => b.probability - a.probability);
      const shown = ranked.slice(0, top);
      if (args.options.json === true) io.out(JSON.stringify({ clip: file, predictions: shown }));
      else shown.forEach((r, i) => io.out(`${i + 1}. ${r.class} ${(100 * r.probability).toFixed(1)} %`));
      return 0;
    } finally {
      trained.model.dispose();
    }
  },
};
