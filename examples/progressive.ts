/**
 * Progressive learning (PLS) on a skeleton dataset directory: train 5x5, grow to 6x6, 7x7 and 8x8
 * (earlier UPT/GIT stages frozen, the network reused), evaluating and checkpointing every stage,
 * with the recipe the library derives from the data (learning rate and epochs per stage):
 *
 *   npm run example:progressive -- [--data ../shared/datasets/utkinect] [--grids 5,6,7,8]
 *     [--epochs 20,10,10,10] [--width 16] [--frames 32] [--out progressive-model] [--backend wasm]
 */
import { buildSke2Grid, evaluateSequences, trainProgressive } from '../src/index.js';
import { saveModel } from '../src/node.js';
import { listOption, option, setUpDataset } from './datasetSetup.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('progressive');

const setup = await setUpDataset({ grids: listOption('--grids') ?? [5, 6, 7, 8] });
const { recipe, pipelines } = setup;
const out = option('--out', 'progressive-model');

const first = buildSke2Grid(pipelines.model); // the first grid of the recipe
const { model } = await trainProgressive(first, setup.train, {
  stages: recipe.stages.map((s) => ({ gridShape: [s.grid, s.grid] as [number, number], epochs: s.epochs, learningRate: s.learningRate })),
  keepArrangement: recipe.keepArrangement,
  onStageEnd: async (stageModel, stage) => {
    const result = await evaluateSequences(stageModel, setup.data, { indices: setup.testIndices, clips: pipelines.test });
    const grid = `${recipe.stages[stage].grid}x${recipe.stages[stage].grid}`;
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
