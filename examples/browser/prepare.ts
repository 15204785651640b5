/**
 * Produces what the browser example ships (its output is committed, so the page works without running
 * this): trains a tiny COCO-17 Ske2Grid on the synthetic actions, compiles it for
 * inference and saves it into `examples/browser/model/`, and writes one held-out, labelled clip the
 * model classifies correctly to `examples/browser/sequence.json`.
 *
 *   npx tsx examples/browser/prepare.ts [--epochs 12] [--seed 0] [--class jumping_jack] [--backend wasm|cpu]
 */
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  SYNTHETIC_ACTION_CLASSES,
  buildSke2Grid,
  compileForInference,
  evaluateSke2Grid,
  fitSke2Grid,
  getModelConfig,
  inferenceMarker,
  predictLogits,
  softmax,
  stageMixingMatrices,
  terminalProgress,
} from '../../src/index.js';
import { saveModel } from '../../src/node.js';
import { syntheticClip, syntheticSplit } from '../syntheticSplit.js';
import { EXAMPLE_METADATA_KEY, type ExampleMetadata, type ExampleSequence } from './exampleData.js';

const args = process.argv.slice(2);
const option = (flag: string, fallback: string) => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const epochs = Number(option('--epochs', '12'));
const seed = Number(option('--seed', '0'));
const wantedClass = option('--class', 'jumping_jack');
const backend = option('--backend', 'wasm');
const FRAMES = 32;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const classIndex = SYNTHETIC_ACTION_CLASSES.indexOf(wantedClass);
if (classIndex < 0) {
  console.error(`--class: expected one of ${SYNTHETIC_ACTION_CLASSES.join(', ')}, got ${JSON.stringify(wantedClass)}`);
  process.exit(2);
}
await tf.setBackend(backend);
await tf.ready();

// 1. Data: the synthetic actions, 75 % train / 25 % test per class (as the demo splits them).
const { classes, train, test, tr, te } = await syntheticSplit(seed, FRAMES);

// 2. A tiny Ske2Grid: 5x5 grid, four blocks of 16-32 channels (about 40 k weights).
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
  ],
});
const t0 = performance.now();
await fitSke2Grid(model, tr.x, tr.y, { epochs, batchSize: 16, validationData: [te.x, te.y], callbacks: [terminalProgress((t) => process.stdout.write(t))] });
const trainSeconds = (performance.now() - t0) / 1000;
const evaluation = await evaluateSke2Grid(model, te.x, te.labels);
console.log(
  `trained ${epochs} epochs in ${trainSeconds.toFixed(0)} s on ${tf.getBackend()}: test top-1 ${(evaluation.top[1] * 100).toFixed(1)} % (${test.length} clips)`,
);

// 3. Compile for inference and check it gives the trained model's logits.
const compiled = compileForInference(model, { name: 'ske2grid_browser_example' });
const original = await predictLogits(model, te.x);
const fast = await predictLogits(compiled, te.x);
const compileDiff = Math.max(...original.flatMap((row, i) => row.map((v, k) => Math.abs(v - fast[i][k]))));
console.log(`compiled for inference (${inferenceMarker(compiled)?.mapping} mapping): max |logit difference| ${compileDiff.toExponential(1)}`);

// 4. The clip the page shows: the held-out clip of the chosen class with the largest correct margin,
//    stored rounded to 4 decimals; its expected probabilities are computed on the rounded values.
const round = (v: number) => Math.round(v * 1e4) / 1e4;
const candidates = test.map((s, i) => ({ s, i })).filter(({ s }) => s.label === classIndex);
let best: { keypoints: number[]; probabilities: number[]; margin: number; index: number } | null = null;
for (const { s, i } of candidates) {
  const c = syntheticClip(s, FRAMES);
  const keypoints = Array.from(c.data, round);
  const x = tf.tensor(keypoints, c.shape);
  const [logits] = await predictLogits(compiled, x);
  x.dispose();
  const probabilities = softmax(logits);
  const others = Math.max(...probabilities.filter((_, k) => k !== classIndex));
  const margin = probabilities[classIndex] - others;
  if (best === null || margin > best.margin) best = { keypoints, probabilities, margin, index: i };
}
if (best === null || best.margin <= 0) {
  console.error(`no held-out '${wantedClass}' clip is classified correctly; train longer (--epochs) or pick another --class`);
  process.exit(1);
}
const sequence: ExampleSequence = {
  description: `Synthetic COCO-17 clip (generateSyntheticActions seed ${seed}, held-out clip ${best.index}), ${FRAMES} frames sampled (test-mode UniformSampleFrames); x, y in normalised image units (y down), score.`,
  label: classIndex,
  labelName: wantedClass,
  shape: [1, FRAMES, 17, 3],
  keypoints: best.keypoints,
  expectedProbabilities: best.probabilities.map((p) => Math.round(p * 1e6) / 1e6),
};

// 5. Save: the compiled model (with class names and the learned grid in its metadata) and the clip.
const config = getModelConfig(model);
const mixing = stageMixingMatrices(model);
const metadata: ExampleMetadata = {
  classes: [...classes],
  gridShape: [config.gridShape[0], config.gridShape[1]],
  mixing: mixing[mixing.length - 1].map((row) => row.map(round)),
  training: `${epochs} epochs on ${train.length} synthetic clips (seed ${seed}); test top-1 ${(evaluation.top[1] * 100).toFixed(1)} % on ${test.length} held-out clips`,
};
compiled.setUserDefinedMetadata({ ...(compiled.getUserDefinedMetadata() as Record<string, unknown>), [EXAMPLE_METADATA_KEY]: metadata });
const modelDir = here('./model');
rmSync(modelDir, { recursive: true, force: true });
await saveModel(compiled, modelDir);
writeFileSync(here('./sequence.json'), JSON.stringify(sequence) + '\n');
console.log(`saved ${modelDir} and sequence.json ('${wantedClass}', p = ${best.probabilities[classIndex].toFixed(3)}, margin ${best.margin.toFixed(3)})`);

tf.dispose([tr.x, tr.y, te.x, te.y]);
model.dispose();
compiled.dispose();
