/**
 * Train Ske2Grid on a skeleton dataset directory (manifest.json + data.f32) with the recipe the
 * library derives from the data, evaluate it with the multi-clip test, save the checkpoint and an
 * inference model. `ske2grid train --data DIR` does all of this (and progressive learning, metrics
 * and pictures) in one command; this example shows the library calls behind it:
 *
 *   npm run example:train -- [--data ../shared/datasets/utkinect] [--protocol NAME] [--fold K]
 *     [--epochs 30] [--width 16] [--frames 32] [--clips 10] [--out trained-model] [--backend wasm]
 */
import { buildSke2Grid, compileForInference, evaluateSequences, fitSke2GridDataset, terminalProgress } from '../src/index.js';
import { saveModel } from '../src/node.js';
import { option, setUpDataset } from './datasetSetup.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('train-dataset');

const setup = await setUpDataset({ grids: [5] }); // one grid here; see progressive.ts for 5x5 -> 6x6 -> ...
const { recipe, pipelines } = setup;
const out = option('--out', 'trained-model');
for (const note of recipe.notes) console.log(`recipe: ${note}`);

const model = buildSke2Grid(pipelines.model); // the data's layout, persons, channels, clip length
const [stage] = recipe.stages;
const started = Date.now();
await fitSke2GridDataset(model, setup.train, {
  epochs: stage.epochs,
  learningRate: stage.learningRate,
  callbacks: [terminalProgress((t) => process.stdout.write(t))],
});
const seconds = (Date.now() - started) / 1000;

const result = await evaluateSequences(model, setup.data, { indices: setup.testIndices, clips: pipelines.test });
console.log(
  `\ntest (${recipe.protocol}, ${setup.testIndices.length} clips): top-1 ${(100 * result.top[1]).toFixed(1)} %, ` +
    `mean class accuracy ${(100 * result.meanClassAccuracy).toFixed(1)} %; trained ${stage.epochs} epochs in ${seconds.toFixed(0)} s`,
);

await saveModel(model, `${out}/checkpoint`);
const inference = compileForInference(model);
await saveModel(inference, `${out}/inference`);
console.log(`saved ${out}/checkpoint (resume training) and ${out}/inference (deployment)`);
model.optimizer?.dispose();
model.dispose();
inference.dispose();
await setup.data.close();
