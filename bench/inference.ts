/**
 * Inference speed of a Ske2Grid model before and after `compileForInference`: the official 5x5 model
 * (COCO-17, 2 persons, 60 classes; `buildSke2Grid()` defaults) at batch 1 on the Node backends.
 * The cpu backend runs ~1 GFLOP/s, so there the clip has 20 frames instead of 100.
 *
 *   npx tsx bench/inference.ts [--reps 5] [--backends cpu,wasm]
 *
 * Prints one row per backend: frames, median ms per clip of the original and the compiled model
 * (runs interleaved after one warm-up each), the speed-up and the max relative logit difference.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import { compileForInference, maxRelative, buildSke2Grid } from '../src/index.js';
import { median } from './statistics.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const reps = Number(option('reps', '5'));
const backends = option('backends', 'cpu,wasm').split(',');
const FRAMES: Record<string, number> = { cpu: 20, wasm: 100 };

/** Milliseconds of one forward pass, waiting for the values. */
function timeOnce(model: tfl.LayersModel, x: tf.Tensor): number {
  const start = performance.now();
  const y = model.predict(x) as tf.Tensor;
  y.dataSync();
  const ms = performance.now() - start;
  y.dispose();
  return ms;
}

const rows: string[][] = [];
for (const backend of backends) {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`backend ${backend} is not available`);
  await tf.ready();
  const frames = FRAMES[backend] ?? 100;
  const original = buildSke2Grid({ frames, seed: 0 });
  const compiled = compileForInference(original);
  const x = tf.randomNormal([1, 2, frames, 17, 3], 0, 1, 'float32', 1);
  const diff = tf.tidy(() => maxRelative(compiled.predict(x) as tf.Tensor, original.predict(x) as tf.Tensor));
  timeOnce(original, x);
  timeOnce(compiled, x);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < reps; r++) {
    a.push(timeOnce(original, x));
    b.push(timeOnce(compiled, x));
  }
  const [ma, mb] = [median(a), median(b)];
  rows.push([backend, String(frames), ma.toFixed(1), mb.toFixed(1), `${(ma / mb).toFixed(2)}x`, diff.toExponential(1)]);
  x.dispose();
  original.dispose();
  compiled.dispose();
}

const header = ['backend', 'frames', 'original ms', 'compiled ms', 'speed-up', 'max rel. diff'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`Ske2Grid 5x5 (COCO-17, 2 persons, 60 classes), batch 1, median of ${reps} runs`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
