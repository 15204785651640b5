/**
 * End-to-end demo (`npm run demo`): trains a small Ske2Grid on an embedded, procedurally generated
 * (synthetic) set of COCO-17 skeleton actions on the wasm backend, grows it 5x5 -> 6x6 with
 * progressive learning, evaluates it, saves and reloads it, and draws the learned grid and the
 * training curves as SVG. Everything it writes goes under `--out` (default `demo-output/`, git-ignored):
 * the checkpoint of every stage (`stage0-5x5/`, `stage1-6x6/`), the final model (`model/`), the two
 * pictures and the results file (`demo-results.json`, or `--results FILE`). `--seed` fixes the data,
 * the weights and the training (batch order included): the same seed and backend print the same table.
 *
 *   npm run demo -- [--out demo-output] [--epochs 12] [--seed 0] [--backend wasm|cpu] [--keep-arrangement] [--results FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  COCO17,
  bodyPartOfCocoJoint,
  buildSke2Grid,
  evaluateSke2Grid,
  getModelConfig,
  gridStageFromMatrix,
  predictLogits,
  renderGridSvg,
  renderTrainingCurvesSvg,
  stageMixingMatrices,
  terminalProgress,
  trainProgressive,
  type TrainingCurvePoint,
} from '../src/index.js';
import { loadModel, saveModel } from '../src/node.js';
import { demoTable, type DemoResults, type DemoStageResult } from './demoResults.js';
import { syntheticSplit } from './syntheticSplit.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('demo');

const args = process.argv.slice(2);
const option = (flag: string, fallback: string) => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
if (args.includes('--data')) {
  console.error('--data: the demo runs on its embedded synthetic set; train on a dataset directory with `npm run example:train -- --data <dir>`.');
  process.exit(2);
}
const out = option('--out', 'demo-output');
const epochs = Number(option('--epochs', '12'));
const keepArrangement = args.includes('--keep-arrangement');
const seed = Number(option('--seed', '0'));
const backend = option('--backend', 'wasm');
const resultsFile = option('--results', join(out, 'demo-results.json'));
const FRAMES = 32;

await tf.setBackend(backend);
await tf.ready();
mkdirSync(out, { recursive: true });
const t0 = performance.now();

// 1. Data: synthetic actions, split per class into 75 % train / 25 % test.
const { classes, train, test, tr, te } = await syntheticSplit(seed, FRAMES);
console.log(
  `synthetic COCO-17 actions: ${classes.length} classes (${classes.join(', ')}), ${train.length} train / ${test.length} test clips, ${FRAMES} frames; backend ${tf.getBackend()}`,
);

// 2. A small Ske2Grid (same architecture as the paper's, narrower and shallower), 5x5 then 6x6.
const model = buildSke2Grid({
  seed,
  numClasses: classes.length,
  frames: FRAMES,
  persons: 1,
  blocks: [
    { filters: 16, stride: 1 },
    { filters: 16, stride: 1 },
    { filters: 32, stride: 2 },
    { filters: 32, stride: 1 },
    { filters: 64, stride: 2 },
    { filters: 64, stride: 1 },
  ],
});
const stages = [
  { gridShape: [5, 5] as [number, number], epochs },
  { gridShape: [6, 6] as [number, number], epochs: Math.max(1, Math.round(epochs / 2)) },
];
const stageResults: DemoStageResult[] = [];
const curve: TrainingCurvePoint[] = [];
let epochOffset = 0;
const { model: trained, histories } = await trainProgressive(model, tr.x, tr.y, {
  stages,
  keepArrangement,
  batchSize: 16,
  learningRate: 0.05,
  validationData: [te.x, te.y],
  callbacks: [terminalProgress((text) => process.stdout.write(text))],
  onStageEnd: async (m, stage, history) => {
    const grid = getModelConfig(m).gridShape.join('x');
    const checkpoint = join(out, `stage${stage}-${grid}`);
    await saveModel(m, checkpoint);
    const h = history.history as Record<string, number[]>;
    h.loss.forEach((loss, e) =>
      curve.push({ epoch: epochOffset + e + 1, loss, accuracy: h.acc?.[e], valLoss: h.val_loss?.[e], valAccuracy: h.val_acc?.[e], stage: grid }),
    );
    epochOffset += h.loss.length;
    const ev = await evaluateSke2Grid(m, te.x, te.labels);
    stageResults.push({
      grid,
      grown: stage > 0,
      epochs: h.loss.length,
      finalTrainLoss: h.loss[h.loss.length - 1],
      top1: ev.top[1],
      top5: ev.top[5],
      meanClassAccuracy: ev.meanClassAccuracy,
    });
    console.log(`stage ${stage} (${grid}) done: test top-1 ${pct(ev.top[1])}; checkpoint saved to ${checkpoint}/`);
  },
});

// 3. Save, reload and check the reloaded model gives the same logits.
await saveModel(trained, join(out, 'model'));
const reloaded: tfl.LayersModel = await loadModel(join(out, 'model'));
const a = await predictLogits(trained, te.x);
const b = await predictLogits(reloaded, te.x);
const reloadDiff = Math.max(...a.flatMap((row, i) => row.map((v, k) => Math.abs(v - b[i][k]))));

// 4. Pictures: the learned grid of each stage and the training curves.
const mixing = stageMixingMatrices(trained);
const cfg = getModelConfig(trained);
const sides = [...cfg.stageOutputs].map((n) => Math.round(Math.sqrt(n)));
const gridSvg = renderGridSvg(
  mixing.map((m, s) => gridStageFromMatrix(m, [sides[s], sides[s]], COCO17.joints, bodyPartOfCocoJoint)),
  { title: 'Ske2Grid: what each grid cell learned after progressive learning (strongest joints and their shares)' },
);
writeFileSync(join(out, 'learned-grid.svg'), gridSvg);
writeFileSync(join(out, 'training-curves.svg'), renderTrainingCurvesSvg(curve, { title: 'Training on synthetic actions (5x5 then 6x6)', heldOutName: 'test' }));

// 5. Final table and the results file it comes from.
const seconds = (performance.now() - t0) / 1000;
const results: DemoResults = {
  seed,
  backend: tf.getBackend(),
  epochs,
  classes: classes.length,
  trainClips: train.length,
  testClips: test.length,
  frames: FRAMES,
  stages: stageResults,
  reloadMaxAbsDiff: reloadDiff,
  seconds: Math.round(seconds),
};
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${demoTable(results).join('\n')}`);
console.log(
  `\nwritten: ${[...stageResults.map((r, i) => join(out, `stage${i}-${r.grid}/`)), join(out, 'model/')].join(', ')} (reload max |logit diff| ${reloadDiff.toExponential(1)}); ` +
    `${join(out, 'learned-grid.svg')}, ${join(out, 'training-curves.svg')}; results ${resultsFile}`,
);
console.log(
  `total ${seconds.toFixed(0)} s on ${tf.getBackend()}; ${histories.length} stages. The data is synthetic: these numbers show the pipeline works, not accuracy on real motion.`,
);

tf.dispose([tr.x, tr.y, te.x, te.y]);

function pct(v: number | undefined): string {
  return v == null ? '-' : `${(v * 100).toFixed(1)} %`;
}
