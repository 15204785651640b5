/**
 * tfjs or ONNX Runtime: inference speed of the official 5x5 Ske2Grid model (COCO-17, 2 persons,
 * 60 classes, T=100; `buildSke2Grid()` defaults, seed 0) in one Node process, same input:
 *
 * - `tfjs-wasm`: the trainable model's `predict` on the tfjs wasm backend;
 * - `tfjs-wasm compiled`: `compileForInference(model)` on the same backend;
 * - `onnxruntime-node`: the graph `exportOnnx(model)` writes, in onnxruntime-node (CPU execution
 *   provider, graph optimisations on, its default thread pool = the machine's cores);
 * - `onnxruntime-node 1 thread`: the same with `intraOpNumThreads: 1` (tfjs-wasm in Node runs one thread).
 *
 * At batch 1 and 16: one warm-up call each, then `--reps` rounds (default 5) in which every runtime
 * runs once in turn (interleaved, so a busy machine slows all alike); samples/s from the median.
 * Also the max relative logit difference of each runtime against `tfjs-wasm`. Writes the rows and
 * the machine facts to `--out` (default `bench/onnx-results.json`) and prints a table with the
 * ratios to `tfjs-wasm`.
 *
 *   npx tsx bench/onnx.ts [--reps 5] [--frames 100] [--out bench/onnx-results.json]
 *   npm run bench -- --only onnx
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { buildSke2Grid, compileForInference, exportOnnx, maxRelative } from '../src/index.js';
import { finishMachineInfo, machineInfo } from './machine.js';
import { median } from './statistics.js';

/** One measured runtime at one batch size. */
export interface OnnxBenchRow {
  /** `tfjs-wasm`, `tfjs-wasm compiled`, `onnxruntime-node` or `onnxruntime-node 1 thread`. */
  runtime: string;
  /** Clips per call. */
  batch: number;
  /** Clip length. */
  frames: number;
  /** Median milliseconds per call. */
  medianMs: number;
  /** Clips per second from the median. */
  samplesPerSecond: number;
  /** samples/s over `tfjs-wasm`'s at the same batch. */
  ratioToTfjsWasm: number;
  /** Max relative logit difference against `tfjs-wasm` (`max|a - b| / max|b|`). */
  maxRelativeDiff: number;
  /** Every timed call, ms. */
  timesMs: number[];
}

const args = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const v = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  if (v === undefined) throw new Error(`--${name}: expected a value`);
  return v;
}
const reps = Number(option('reps', '5'));
const frames = Number(option('frames', '100'));
const out = option('out', 'bench/onnx-results.json');
for (const [name, v] of [
  ['reps', reps],
  ['frames', frames],
] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a positive integer, got ${v}`);
}

type Runner = (x: tf.Tensor, input: ort.Tensor) => Promise<Float32Array>;

async function main(): Promise<void> {
  const machine = machineInfo();
  if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') throw new Error('the tfjs wasm backend is not available');
  await tf.ready();
  const model = buildSke2Grid({ frames, seed: 0 });
  const compiled = compileForInference(model);
  const bytes = await exportOnnx(model);
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
  const single = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const tfjs =
    (m: typeof model): Runner =>
    async (x) => {
      const y = m.predict(x) as tf.Tensor;
      const v = (await y.data()) as Float32Array;
      y.dispose();
      return v;
    };
  const onnx =
    (s: ort.InferenceSession): Runner =>
    async (_x, input) =>
      (await s.run({ skeletons: input })).logits.data as Float32Array;
  const runtimes: [string, Runner][] = [
    ['tfjs-wasm', tfjs(model)],
    ['tfjs-wasm compiled', tfjs(compiled)],
    ['onnxruntime-node', onnx(session)],
    ['onnxruntime-node 1 thread', onnx(single)],
  ];
  const rows: OnnxBenchRow[] = [];
  for (const batch of [1, 16]) {
    const x = tf.randomNormal([batch, 2, frames, 17, 3], 0, 1, 'float32', 7);
    const input = new ort.Tensor('float32', (await x.data()) as Float32Array, x.shape);
    const reference = await runtimes[0][1](x, input);
    const times = new Map<string, number[]>(runtimes.map(([n]) => [n, []]));
    const diffs = new Map<string, number>();
    for (const [name, run] of runtimes) {
      const logits = await run(x, input); // warm-up
      diffs.set(
        name,
        tf.tidy(() => maxRelative(tf.tensor(logits), tf.tensor(reference))),
      );
    }
    for (let r = 0; r < reps; r++) {
      for (const [name, run] of runtimes) {
        const start = performance.now();
        await run(x, input);
        times.get(name)!.push(performance.now() - start);
      }
    }
    const base = median(times.get('tfjs-wasm')!);
    for (const [name] of runtimes) {
      const ms = median(times.get(name)!);
      rows.push({
        runtime: name,
        batch,
        frames,
        medianMs: ms,
        samplesPerSecond: (batch * 1000) / ms,
        ratioToTfjsWasm: base / ms,
        maxRelativeDiff: diffs.get(name)!,
        timesMs: times.get(name)!,
      });
    }
    x.dispose();
    console.error(`batch ${batch} done`);
  }
  await Promise.all([session.release(), single.release()]);
  model.dispose();
  compiled.dispose();
  finishMachineInfo(machine);

  mkdirSync(dirname(out), { recursive: true });
  const results = {
    description:
      'tfjs or ONNX Runtime (bench/onnx.ts): official Ske2Grid 5x5 (COCO-17, 2 persons, 60 classes, seed 0), one Node process, interleaved timed calls after a warm-up; ' +
      'samples/s from the median call; onnxruntime-node runs the graph exportOnnx writes (CPU provider, all graph optimisations).',
    machine: { ...machine, onnxruntimeNode: ort.env.versions.node ?? null },
    options: { reps, frames },
    rows,
  };
  writeFileSync(out, `${JSON.stringify(results, null, 1)}\n`);

  console.log(
    `\n## tfjs or ONNX Runtime, ${machine.startedAt.slice(0, 10)}: ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}, load average ${machine.loadAverage.start.toFixed(2)} -> ${machine.loadAverage.end?.toFixed(2)}`,
  );
  console.log(`Official 5x5 model, T=${frames}, 2 persons; median of ${reps} interleaved calls; rows in ${out}.\n`);
  console.log(onnxTable(rows));
}

/** The Markdown table of the rows: runtime, batch, ms per call, samples/s, ratio to tfjs-wasm, max relative logit difference. */
function onnxTable(rows: OnnxBenchRow[]): string {
  const lines = ['| runtime | batch | ms / call | samples/s | vs tfjs-wasm | max rel. logit diff |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(
      `| ${r.runtime} | ${r.batch} | ${r.medianMs.toFixed(0)} | ${r.samplesPerSecond.toFixed(2)} | ${r.ratioToTfjsWasm.toFixed(2)}x | ${r.maxRelativeDiff.toExponential(1)} |`,
    );
  }
  return lines.join('\n');
}

await main();
