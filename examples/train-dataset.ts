/**
 * Train Ske2Grid on a skeleton dataset directory (manifest.json + data.f32), evaluate it with the
 * multi-clip test, save the checkpoint and an inference model:
 *
 *   npm run example:train -- [--data ../shared/datasets/utkinect] [--protocol NAME] [--fold K]
 *     [--epochs 30] [--width 16] [--frames 32] [--out trained-model] [--backend wasm]
 *
 * Any directory in the format of docs/data.md works; the model is built for its skeleton (layout
 * from the manifest), persons and classes.
 */
import { buildSke2Grid, compileForInference, evaluateSequences, fitSke2GridDataset, terminalProgress } from '../src/index.js';
import { saveModel } from '../src/node.js';
import { blocksOfWidth, option, setUpDataset } from './datasetSetup.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('train-dataset');

const setup = await setUpDataset({ frames: 32, batchSize: 16 });
const width = Number(option('--width', '16'));
const epochs = Number(option('--epochs', '30'));
const out = option('--out', 'trained-model');

const model = buildSke2Grid({
  layout: setup.layout,
  persons: setup.persons,
  frames: setup.frames,
  inChannels: setup.dims + (setup.dims === 2 ? 1 : 0),
  numClasses: setup.numClasses,
  blocks: blocksOfWidth(width),
  seed: Number(option('--seed', '0')),
});

const started = Date.now();
await fitSke2GridDataset(model, setup.train, { epochs, learningRate: 0.1, callbacks: [terminalProgress((t) => process.stdout.write(t))] });
const seconds = (Date.now() - started) / 1000;

const result = await evaluateSequences(model, setup.data, { indices: setup.testIndices, clips: setup.testClips });
console.log(
  `\ntest (${setup.protocol}, ${setup.testIndices.length} clips): top-1 ${(100 * result.top[1]).toFixed(1)} %, ` +
    `mean class accuracy ${(100 * result.meanClassAccuracy).toFixed(1)} %; trained ${epochs} epochs in ${seconds.toFixed(0)} s`,
);

await saveModel(model, `${out}/checkpoint`);
const inference = compileForInference(model);
await saveModel(inference, `${out}/inference`);
console.log(`saved ${out}/checkpoint (resume training) and ${out}/inference (deployment)`);
model.optimizer?.dispose();
model.dispose();
inference.dispose();
await setup.data.close();
