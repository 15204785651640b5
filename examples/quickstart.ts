/**
 * Quickstart: build the official 5x5 Ske2Grid model (COCO-17, 2 persons, 100 frames, 60 classes)
 * on the wasm backend, classify a random skeleton clip, and show where each joint sits in the grid.
 * Run with `npm run demo`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { COCO17, buildSke2Grid, checkSkeletonInput, stageMixingMatrices } from '../src/index.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('quickstart');

await tf.setBackend('wasm');
await tf.ready();

const model = buildSke2Grid({ numClasses: 60 });
const trainable = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
console.log(`Ske2Grid 5x5 on ${tf.getBackend()}: ${model.layers.length} layers, ${trainable.toLocaleString('en')} trainable parameters`);

const clip = tf.randomNormal([1, 2, 100, 17, 3]);
checkSkeletonInput(model, clip);
const start = performance.now();
const probs = tf.tidy(() => tf.softmax(model.predict(clip) as tf.Tensor));
const values = await probs.data();
console.log(`inference of one clip: ${(performance.now() - start).toFixed(0)} ms (first call includes warm-up)`);
const top = [...values]
  .map((p, i) => [i, p] as const)
  .sort((a, b) => b[1] - a[1])
  .slice(0, 5);
console.log('top-5 classes of an untrained model:', top.map(([i, p]) => `${i} (${(p * 100).toFixed(1)} %)`).join(', '));

// Which joint dominates each grid cell: the composite map GIT o UPT(prior) of stage 0.
const [rows] = stageMixingMatrices(model);
console.log('\nstrongest joint per grid cell (5x5, before training):');
for (let h = 0; h < 5; h++) {
  const cells = rows.slice(h * 5, h * 5 + 5).map((row) => COCO17.joints[row.indexOf(Math.max(...row))].padEnd(15));
  console.log('  ' + cells.join(' '));
}
tf.dispose([clip, probs]);
model.dispose();
