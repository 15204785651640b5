/**
 * Progressive learning (PLS) on a skeleton dataset directory: train 5x5, grow to 6x6, 7x7 and 8x8
 * (earlier UPT/GIT stages frozen, the network reused), evaluating and checkpointing every stage:
 *
 *   npm run example:progressive -- [--data ../shared/datasets/utkinect] [--grids 5,6,7,8]
 *     [--epochs 20,10,10,10] [--width 16] [--frames 32] [--out progressive-model] [--backend wasm]
 */
import { buildSke2Grid, evaluateSequences, trainProgressive } from '../src/index.js';
import { saveModel } from '../src/node.js';
import { blocksOfWidth, option, setUpDataset } from './datasetSetup.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('progressive');

const setup = await setUpDataset({ frames: 32, batchSize: 16 });
const grids = option('--grids', '5,6,7,8').split(',').map(Number);
const epochs = option('--epochs', '20,10,10,10').split(',').map(Number);
const width = Number(option('--width', '16'));
const out = option('--out', 'progressive-model');

const first = buildSke2Grid({
  layout: setup.layout,
  gridShape: [grids[0], grids[0]],
  persons: setup.persons,
  frames: setup.frames,
  inChannels: setup.dims + (setup.dims === 2 ? 1 : 0),
  numClasses: setup.numClasses,
  blocks: blocksOfWidth(width),
  seed: Number(option('--seed', '0')),
});

const { model } = await trainProgressive(first, setup.train, {
  stages: grids.map((g, i) => ({ gridShape: [g, g] as [number, number], epochs: epochs[i] ?? epochs[epochs.length - 1] })),
  learningRate: 0.1,
  onStageEnd: async (stageModel, stage) => {
    const result = await evaluateSequences(stageModel, setup.data, { indices: setup.testIndices, clips: setup.testClips });
    const grid = `${grids[stage]}x${grids[stage]}`;
    console.log(`stage ${stage} (${grid}): test top-1 ${(100 * result.top[1]).toFixed(1)} %, mean class ${(100 * result.meanClassAccuracy).toFixed(1)} %`);
    await saveModel(stageModel, `${out}/${grid}`);
  },
});
console.log(`checkpoints of every stage in ${out}/`);
first.optimizer?.dispose();
first.dispose();
model.optimizer?.dispose();
model.dispose();
await setup.data.close();
