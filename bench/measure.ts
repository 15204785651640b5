/**
 * The measurements of one (backend, grid size) job, environment-neutral (runs in Node and in the
 * browser page): the backend's plain matMul GFLOP/s, then inference and training-step cases of the
 * official Ske2Grid architecture, each warmed up once (inside `tf.profile`, which gives the peak
 * tensor bytes) and then timed over a few repetitions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildSke2Grid, layerNames } from '../src/index.js';
import { TRAINING_FLOP_FACTOR, forwardGflopPerSample, referenceStages } from './flops.js';
import { analyticTrainingMemory, chooseMicroBatch, estimatePeakBytes, probeTrainingMemory, type TrainingMemoryModel } from './memoryEstimate.js';
import { median } from './statistics.js';
import { createTrainingStep } from './trainingStep.js';

/** What a row measures. */
export type BenchItem = 'matMul' | 'inference' | 'training';

/** One inference or training case of a job; `skip` (a reason) lists it in the table without running it. */
export interface BenchCase {
  item: 'inference' | 'training';
  batch: number;
  skip?: string;
}

/** Everything one job needs; plain data (it crosses into worker processes and the browser page). */
export interface GridJob {
  /** Backend label in the tables: `cpu`, `wasm`, `webgl`, `webgpu`, `browser-wasm`. */
  backend: string;
  /** The tfjs backend name to select. */
  tfBackend: string;
  environment: 'node' | 'chromium';
  /** Grid side (5 -> 5x5, stages from the reference progressive-learning list). */
  grid: number;
  /** Frames T of the clips (100 is the official setting). */
  frames: number;
  cases: BenchCase[];
  /** Timed repetitions after the warm-up (fewer when one repetition would exceed `itemBudgetMs`). */
  reps: number;
  /** Time budget of the timed repetitions of one case, in ms. */
  itemBudgetMs: number;
  /** Side n of the n x n x n matMul that measures the backend's plain speed. */
  matMulSize: number;
  /** Training steps whose estimated peak exceeds this run as gradient accumulation, or do not run. */
  memoryBudgetBytes: number;
  /**
   * Warm up inside `tf.profile` (gives the peak tensor bytes). Off for WebGL/WebGPU, where profiling
   * reads every kernel's output back (WebGL without a disjoint timer) or submits kernel by kernel.
   */
  profileWarmup: boolean;
  /** How to estimate a training step's memory: a probe (fast backends) or the closed form. */
  memoryEstimate: 'probe' | 'analytic';
  /** Notes put on every row of the job (reduced frames, emulated GPU, ...). */
  marks: string[];
}

/** Process memory at a point in time (whatever the environment can tell). */
export interface MemorySample {
  /** Resident set size of the process (Node) or of the browser's processes. */
  rssBytes?: number;
  /** Peak resident set size so far (Linux VmHWM). */
  peakRssBytes?: number;
  /** `performance.memory.usedJSHeapSize` (Chromium). */
  jsHeapUsedBytes?: number;
  /** Size of the wasm backend's heap (grows, never shrinks; capped at 4 GiB). */
  wasmHeapBytes?: number;
}

/** One result row (all rows of a run go to the JSON file). */
export interface BenchRow {
  backend: string;
  environment: 'node' | 'chromium';
  item: BenchItem;
  /** `'5x5'`; empty for matMul rows. */
  grid: string;
  frames: number | null;
  batch: number | null;
  /** Clips per gradient computation when a training step is split (gradient accumulation). */
  microBatch: number | null;
  status: 'ok' | 'does not fit' | 'failed' | 'skipped';
  repsTimed: number;
  timesMs: number[];
  medianMs: number | null;
  warmupMs: number | null;
  samplesPerSecond: number | null;
  /** Work of one timed call in GFLOP (reference counting; training = 3 x forward). */
  gflopPerCall: number | null;
  achievedGflops: number | null;
  /** The same job's matMul GFLOP/s. */
  matMulGflops: number | null;
  /** achievedGflops / matMulGflops. */
  ratioToMatMul: number | null;
  /** Peak tensor bytes during the warm-up call (`tf.profile().peakBytes`: every live tensor, a reshape sharing a buffer counted again). */
  peakTensorBytes: number | null;
  /** Estimated peak of a whole training step before it ran. */
  estimatedPeakBytes: number | null;
  /** Kernels launched by the warm-up call. */
  kernels: number | null;
  /** Tensors left behind per timed call (0 when nothing leaks). */
  tensorsLeakedPerCall: number | null;
  memory: MemorySample;
  notes: string[];
  error?: string;
}

/** Callbacks of the environment that runs a job. */
export interface JobHooks {
  /** Receives each row as soon as it is measured. */
  emit(row: BenchRow): void | Promise<void>;
  /** Process memory now. */
  memory(): MemorySample | Promise<MemorySample>;
  /** Progress text. */
  log(message: string): void;
  /**
   * Errors the device reported asynchronously since the last call (WebGPU validation errors do not
   * throw: the kernels silently produce nothing). A case with errors fails.
   */
  deviceErrors?(): string[];
}

/** The official architecture for the benchmark: COCO-17, 2 persons, 60 classes, seed 0; earlier PLS stages frozen as in progressive learning. */
export function buildBenchModel(grid: number, frames: number): tfl.LayersModel {
  const stages = referenceStages(grid);
  const model = buildSke2Grid({ gridShape: [grid, grid], stages, frames, numClasses: 60, seed: 0 });
  for (let s = 0; s < stages.length - 1; s++) {
    model.getLayer(layerNames.upt(s)).trainable = false;
    model.getLayer(layerNames.git(s)).trainable = false;
  }
  return model;
}

/** A row of `job` with nothing measured yet (status 'ok', every value null). */
export function emptyRow(job: GridJob, item: BenchItem, batch: number | null): BenchRow {
  return {
    backend: job.backend,
    environment: job.environment,
    item,
    grid: item === 'matMul' ? '' : `${job.grid}x${job.grid}`,
    frames: item === 'matMul' ? null : job.frames,
    batch,
    microBatch: null,
    status: 'ok',
    repsTimed: 0,
    timesMs: [],
    medianMs: null,
    warmupMs: null,
    samplesPerSecond: null,
    gflopPerCall: null,
    achievedGflops: null,
    matMulGflops: null,
    ratioToMatMul: null,
    peakTensorBytes: null,
    estimatedPeakBytes: null,
    kernels: null,
    tensorsLeakedPerCall: null,
    memory: {},
    notes: item === 'matMul' ? [] : [...job.marks],
  };
}

/** Size of the wasm heap when the active backend is wasm. */
export function wasmHeapBytes(): number | undefined {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength;
}

/** Plain `matMul` speed of the active backend: median GFLOP/s of `size^3` products (result read each time). */
export async function measureMatMul(size: number, reps: number): Promise<{ gflops: number; timesMs: number[] }> {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  const timesMs: number[] = [];
  try {
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
      if (i > 0) timesMs.push(performance.now() - t0); // the first is the warm-up
    }
  } finally {
    tf.dispose([a, b]);
  }
  return { gflops: (2 * size ** 3) / 1e9 / (median(timesMs) / 1e3), timesMs };
}

const isFatal = (message: string) => /abort|out of bounds|RuntimeError|out of memory|context lost|device (was )?lost/i.test(message);

/** Runs one job: a matMul row, then one row per case (emitted as they finish). Never throws for a failing case. */
export async function runGridJob(job: GridJob, hooks: JobHooks): Promise<void> {
  const gridName = `${job.grid}x${job.grid}`;
  const empty = (item: BenchItem, batch: number | null) => emptyRow(job, item, batch);
  const finish = async (row: BenchRow) => {
    row.memory = { ...(await hooks.memory()), wasmHeapBytes: wasmHeapBytes() };
    await hooks.emit(row);
  };

  // 1. The backend's plain matMul.
  const mm = empty('matMul', null);
  let matMulGflops: number | null = null;
  try {
    const n = job.matMulSize;
    const { gflops, timesMs } = await measureMatMul(n, Math.max(job.reps, 5));
    matMulGflops = gflops;
    Object.assign(mm, {
      timesMs,
      repsTimed: timesMs.length,
      medianMs: median(timesMs),
      gflopPerCall: (2 * n ** 3) / 1e9,
      achievedGflops: gflops,
      matMulGflops: gflops,
      ratioToMatMul: 1,
    });
    mm.notes.push(`${n}x${n}x${n}, float32`);
  } catch (e) {
    Object.assign(mm, { status: 'failed', error: String((e as Error).message ?? e) });
  }
  await finish(mm);
  hooks.log(`${job.backend} matMul ${matMulGflops?.toFixed(1) ?? 'failed'} GFLOP/s`);

  // 2. The model cases.
  const forward = forwardGflopPerSample({ grid: job.grid, stages: referenceStages(job.grid), frames: job.frames });
  let model: tfl.LayersModel | null = null;
  let broken: string | null = null;
  for (const c of job.cases) {
    const row = empty(c.item, c.batch);
    row.gflopPerCall = (c.item === 'training' ? TRAINING_FLOP_FACTOR : 1) * c.batch * forward;
    row.matMulGflops = matMulGflops;
    if (c.skip || broken) {
      row.status = 'skipped';
      row.notes.push(c.skip ?? `not run: ${broken}`);
      await finish(row);
      continue;
    }
    try {
      model ??= buildBenchModel(job.grid, job.frames);
      const checkDevice = () => {
        const errors = hooks.deviceErrors?.() ?? [];
        if (errors.length) throw new Error(`the device reported ${errors.length} error(s), results invalid: ${errors[0].split('\n')[0]}`);
      };
      if (c.item === 'inference') await timeInference(model, job, c.batch, row, checkDevice);
      else await timeTraining(model, job, c.batch, row, checkDevice);
      checkDevice();
      if (row.status === 'ok' && row.medianMs !== null) {
        row.samplesPerSecond = c.batch / (row.medianMs / 1e3);
        row.achievedGflops = row.gflopPerCall / (row.medianMs / 1e3);
        if (matMulGflops) row.ratioToMatMul = row.achievedGflops / matMulGflops;
      }
    } catch (e) {
      const message = String((e as Error).message ?? e);
      row.status = 'failed';
      row.error = message.slice(0, 300);
      if (isFatal(message)) broken = `the ${job.backend} backend failed above (${message.slice(0, 60)})`;
    }
    await finish(row);
    hooks.log(`${job.backend} ${gridName} ${c.item} b${c.batch}: ${row.status}${row.medianMs !== null ? ` ${row.medianMs.toFixed(0)} ms` : ''}`);
  }
  if (!broken) model?.dispose();
}

/** Runs the warm-up call, inside `tf.profile` when the job asks for it (filling the peak bytes and kernel count). */
async function warmUp(job: GridJob, row: BenchRow, call: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  if (job.profileWarmup) {
    const info = await tf.profile(call);
    row.peakTensorBytes = info.peakBytes;
    row.kernels = info.kernels.length;
  } else {
    await call();
  }
  row.warmupMs = performance.now() - t0;
}

/** Number of timed repetitions that fit the budget, given a first-call time. */
function repsWithin(job: GridJob, estimatedMs: number): number {
  return Math.max(1, Math.min(job.reps, Math.floor(job.itemBudgetMs / Math.max(estimatedMs, 1))));
}

function inputs(model: tfl.LayersModel, batch: number, frames: number): { x: tf.Tensor; y: tf.Tensor } {
  const [, persons, , joints, channels] = model.inputs[0].shape as number[];
  const classes = (model.outputs[0].shape as number[])[1];
  return tf.tidy(() => ({
    x: tf.randomNormal([batch, persons, frames, joints, channels], 0, 1, 'float32', 11),
    y: tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batch }, (_, i) => i % classes),
        'int32',
      ),
      classes,
    ),
  }));
}

/** `model.predict` on a batch, the result read outside any tidy. */
async function timeInference(model: tfl.LayersModel, job: GridJob, batch: number, row: BenchRow, checkDevice: () => void): Promise<void> {
  const { x, y } = inputs(model, batch, job.frames);
  try {
    const call = async () => {
      const out = model.predict(x) as tf.Tensor;
      await out.data();
      out.dispose();
    };
    await warmUp(job, row, call);
    checkDevice();
    const reps = repsWithin(job, row.warmupMs as number);
    const before = tf.memory().numTensors;
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      await call();
      row.timesMs.push(performance.now() - t);
    }
    finishTimes(row, before, reps);
  } finally {
    tf.dispose([x, y]);
  }
}

/** One optimizer step on the batch (split into micro-batches when the estimate exceeds the budget). */
async function timeTraining(model: tfl.LayersModel, job: GridJob, batch: number, row: BenchRow, checkDevice: () => void): Promise<void> {
  const memory: TrainingMemoryModel =
    job.memoryEstimate === 'probe' ? await probeTrainingMemory((f) => buildBenchModel(job.grid, f)) : analyticTrainingMemory(model, job.grid);
  row.estimatedPeakBytes = estimatePeakBytes(memory, batch, job.frames);
  const micro = chooseMicroBatch(memory, batch, job.frames, job.memoryBudgetBytes);
  const mb = (v: number) => `${Math.round(v / 2 ** 20)} MiB`;
  if (micro === null) {
    row.status = 'does not fit';
    row.notes.push(`one clip needs ~${mb(estimatePeakBytes(memory, 1, job.frames))} > budget ${mb(job.memoryBudgetBytes)} (${memory.source})`);
    return;
  }
  row.microBatch = micro;
  if (micro < batch) {
    row.notes.push(
      `gradient accumulation: ${batch / micro} x ${micro} clips (whole step ~${mb(row.estimatedPeakBytes)} > budget ${mb(job.memoryBudgetBytes)}); BN statistics per micro-batch`,
    );
  }
  const trainer = createTrainingStep(model, { microBatch: micro });
  const { x, y } = inputs(model, batch, job.frames);
  try {
    // Warm-up on the smallest batch that runs the same path: one micro-batch, or two when accumulating.
    const warm = micro < batch ? Math.min(2 * micro, batch) : batch;
    const xw = warm === batch ? x : tf.slice(x, 0, warm);
    const yw = warm === batch ? y : tf.slice(y, 0, warm);
    await warmUp(job, row, async () => void (await trainer.step(xw, yw)));
    if (warm !== batch) tf.dispose([xw, yw]);
    checkDevice();
    const reps = repsWithin(job, ((row.warmupMs as number) * batch) / warm);
    const before = tf.memory().numTensors;
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      await trainer.step(x, y);
      row.timesMs.push(performance.now() - t);
    }
    finishTimes(row, before, reps);
    row.notes.push(`memory estimate: ${memory.source}`);
  } finally {
    tf.dispose([x, y]);
    trainer.dispose();
  }
}

function finishTimes(row: BenchRow, tensorsBefore: number, reps: number): void {
  row.repsTimed = reps;
  row.medianMs = median(row.timesMs);
  row.tensorsLeakedPerCall = (tf.memory().numTensors - tensorsBefore) / reps;
  if (reps === 1) row.notes.push('1 timed call (budget)');
}
