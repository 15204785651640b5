/**
 * `npm run bench:profile`: where the time of one training step and of one inference batch goes,
 * per tfjs kernel. Runs the official 5x5 model (T=100, batch 16) on the wasm backend by default,
 * profiles each call with `tf.profile` after a warm-up, aggregates the kernels by name (calls,
 * total ms, share of the kernel time) and gives GFLOP/s for the FLOP-bearing kernels (Conv2D,
 * matMul) from their shapes. The training step is split into micro-batches when it would not fit
 * the memory budget, exactly as in `npm run bench`.
 *
 *   npm run bench:profile -- [--backend wasm|cpu] [--grid 5] [--frames 100] [--batch 16] [--memory-budget 3600] [--out file.json]
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { forwardGflopPerSample, referenceStages, TRAINING_FLOP_FACTOR } from './flops.js';
import { buildBenchModel } from './measure.js';
import { chooseMicroBatch, estimatePeakBytes, probeTrainingMemory } from './memoryEstimate.js';
import { markdownTable } from './report.js';
import { createTrainingStep } from './trainingStep.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('bench:profile');

/** One kernel record of `tf.profile` (the fields used here). */
interface KernelRecord {
  name: string;
  kernelTimeMs: number | { error: string } | Promise<number | { error: string }>;
  inputShapes: number[][];
  outputShapes: number[][];
}

/** Per-kernel-name totals. */
export interface KernelTotal {
  name: string;
  calls: number;
  ms: number;
  /** FLOPs where the kernel's shapes define them (convolutions, matrix products), else null. */
  flops: number | null;
}

const size = (shape: number[] | undefined) => (shape ?? []).reduce((a, b) => a * b, 1);

/**
 * FLOPs of one kernel call from its shapes, or null for kernels without a multiply-accumulate
 * count: convolutions `2 x output elements x (filter taps x input channels)` (valid windows only,
 * as the library runs them), matrix products `2 x output elements x inner dimension`.
 */
export function kernelFlops(name: string, inputShapes: number[][], outputShapes: number[][]): number | null {
  const out = outputShapes[0];
  if (!out) return null;
  if (name === 'Conv2D' || name === 'FusedConv2D') {
    const f = inputShapes[1];
    return f ? 2 * size(out) * f[0] * f[1] * f[2] : null;
  }
  if (name === 'BatchMatMul' || name === '_FusedMatMul') {
    const [a] = inputShapes;
    if (!a || out.length < 2) return null;
    const n = out[out.length - 1];
    const inner = (size(a) * n) / size(out); // a holds rows x inner entries per output row block
    return 2 * size(out) * inner;
  }
  return null;
}

/** Sums `tf.profile` kernel records by kernel name; records that are not kernels of `backend` (customGrad scopes, which contain their inner kernels) are left out. */
export async function aggregateKernels(kernels: KernelRecord[], backend: string): Promise<KernelTotal[]> {
  const totals = new Map<string, KernelTotal>();
  for (const k of kernels) {
    if (!tf.getKernel(k.name, backend)) continue;
    const time = await k.kernelTimeMs;
    const ms = typeof time === 'number' ? time : 0;
    const t = totals.get(k.name) ?? { name: k.name, calls: 0, ms: 0, flops: 0 };
    t.calls += 1;
    t.ms += ms;
    const f = kernelFlops(k.name, k.inputShapes, k.outputShapes);
    t.flops = f === null || t.flops === null ? null : t.flops + f;
    totals.set(k.name, t);
  }
  return [...totals.values()].sort((a, b) => b.ms - a.ms);
}

function kernelTable(totals: KernelTotal[], wallMs: number, top: number): string {
  const kernelMs = totals.reduce((a, t) => a + t.ms, 0);
  const rows = totals
    .slice(0, top)
    .map((t) => [
      t.name,
      String(t.calls),
      t.ms.toFixed(0),
      `${((100 * t.ms) / kernelMs).toFixed(1)} %`,
      t.flops ? (t.flops / 1e9).toFixed(1) : '-',
      t.flops && t.ms > 0 ? (t.flops / 1e6 / t.ms).toFixed(1) : '-',
    ]);
  const rest = totals.slice(top);
  if (rest.length) {
    const ms = rest.reduce((a, t) => a + t.ms, 0);
    rows.push([
      `(${rest.length} other kernels)`,
      String(rest.reduce((a, t) => a + t.calls, 0)),
      ms.toFixed(0),
      `${((100 * ms) / kernelMs).toFixed(1)} %`,
      '-',
      '-',
    ]);
  }
  const table = markdownTable(['kernel', 'calls', 'total ms', 'share', 'GFLOP', 'GFLOP/s'], rows, [false, true, true, true, true, true]);
  return `${table}\n\nKernel time ${kernelMs.toFixed(0)} ms of ${wallMs.toFixed(0)} ms wall clock (the rest: JavaScript between kernels and profiling).`;
}

function option(args: string[], flag: string, fallback: string): string {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const backend = option(args, '--backend', 'wasm');
  const grid = Number(option(args, '--grid', '5'));
  const frames = Number(option(args, '--frames', '100'));
  const batch = Number(option(args, '--batch', '16'));
  const budget = Number(option(args, '--memory-budget', '3600')) * 2 ** 20;
  const out = option(args, '--out', '');
  for (const [name, v] of [
    ['--grid', grid],
    ['--frames', frames],
    ['--batch', batch],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: expected a positive integer, got ${v}`);
  }
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`--backend: ${backend} is not available`);
  await tf.ready();

  const model = buildBenchModel(grid, frames);
  const forward = forwardGflopPerSample({ grid, stages: referenceStages(grid), frames });
  const [, persons, , joints, channels] = model.inputs[0].shape as number[];
  const x = tf.randomNormal([batch, persons, frames, joints, channels], 0, 1, 'float32', 11);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 60),
      'int32',
    ),
    60,
  );
  const report: Record<string, unknown> = { backend, grid: `${grid}x${grid}`, frames, batch, date: new Date().toISOString() };
  console.log(`## Kernel profile: ${grid}x${grid}, T=${frames}, batch ${batch}, ${backend} backend (tfjs ${tf.version_core})\n`);

  // Inference: warm-up, then one profiled batch.
  const predict = async () => {
    const logits = model.predict(x) as tf.Tensor;
    await logits.data();
    logits.dispose();
  };
  await predict();
  let t0 = performance.now();
  const inference = await tf.profile(predict);
  const inferenceMs = performance.now() - t0;
  const inferenceTotals = await aggregateKernels(inference.kernels as unknown as KernelRecord[], backend);
  console.log(`### Inference, batch ${batch}: ${inferenceMs.toFixed(0)} ms, ${((batch * forward) / (inferenceMs / 1e3)).toFixed(1)} GFLOP/s of model work\n`);
  console.log(`${kernelTable(inferenceTotals, inferenceMs, 12)}\n`);

  // Training: the micro-batch of `npm run bench`, a warm-up micro-step, then one profiled step.
  const memory = await probeTrainingMemory((f) => buildBenchModel(grid, f));
  const micro = chooseMicroBatch(memory, batch, frames, budget);
  if (micro === null) {
    console.log(`### Training: one clip needs ~${Math.round(estimatePeakBytes(memory, 1, frames) / 2 ** 20)} MiB, over the budget: not profiled.`);
  } else {
    const trainer = createTrainingStep(model, { microBatch: micro });
    const warm = micro < batch ? Math.min(2 * micro, batch) : batch;
    const xw = tf.slice(x, 0, warm);
    const yw = tf.slice(y, 0, warm);
    await trainer.step(xw, yw);
    tf.dispose([xw, yw]);
    t0 = performance.now();
    const training = await tf.profile(async () => void (await trainer.step(x, y)));
    const trainingMs = performance.now() - t0;
    const trainingTotals = await aggregateKernels(training.kernels as unknown as KernelRecord[], backend);
    const split =
      micro < batch
        ? ` as ${batch / micro} micro-batches of ${micro} (gradient accumulation; a whole step needs ~${Math.round(estimatePeakBytes(memory, batch, frames) / 2 ** 20)} MiB)`
        : '';
    console.log(
      `### Training step, batch ${batch}${split}: ${trainingMs.toFixed(0)} ms, ${((TRAINING_FLOP_FACTOR * batch * forward) / (trainingMs / 1e3)).toFixed(1)} GFLOP/s of model work, peak tensors ${Math.round(training.peakBytes / 2 ** 20)} MiB\n`,
    );
    console.log(`${kernelTable(trainingTotals, trainingMs, 15)}\n`);
    Object.assign(report, { microBatch: micro, training: { wallMs: trainingMs, peakBytes: training.peakBytes, kernels: trainingTotals } });
    trainer.dispose();
  }
  Object.assign(report, { inference: { wallMs: inferenceMs, peakBytes: inference.peakBytes, kernels: inferenceTotals } });
  if (out) writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);
  tf.dispose([x, y]);
  model.dispose();
}

await main();
