/**
 * The cases of the formulation benchmark (`bench/formulations.ts`), environment-neutral so the same
 * code runs in Node and in the Chromium benchmark page: one grid block and the whole 5x5 model, each
 * built once per convolution formulation (`convFormulation`), timed forward and as a training step;
 * for the model also the `compileForInferenceAsync` version of it (forward only), with its largest
 * relative logit difference. The plain matMul of the same backend is timed between the cases.
 *
 * Official sizes: block = block 1 of the reference (64 -> 64 channels, identity residual) on
 * `[16, 2, 100, 5, 5, 64]`; model = the official 5x5 COCO-17 model, batch 16, T = 100, 2 persons.
 * Small: a 16-channel block on `[4, 2, 32, 5, 5, 16]`; the model with a quarter of the channels,
 * batch 4, T = 32. A model training step is `bench/trainingStep.ts` (the library's optimizer and
 * loss); when its tensor memory, scaled from a one-clip probe, exceeds the job's
 * budget the batch is split into equal micro-batches whose gradients are summed before the single
 * update (gradient accumulation: same FLOPs, same update).
 */
import * as tf from '@tensorflow/tfjs-core';
import { GridConvBlock, compileForInferenceAsync, buildSke2Grid, REFERENCE_BLOCKS, type ConvFormulation } from '../src/index.js';
import { forwardGflopPerSample } from './flops.js';
import { createTrainingStep } from './trainingStep.js';

export type FormulationSize = 'small' | 'official';
export type FormulationItem = 'block' | 'model';
/** A formulation, or `'compiled'`: the model after `compileForInference` (forward only). */
export type FormulationVariant = ConvFormulation | 'compiled';

/** Everything one formulation job needs; plain data (it crosses into the browser page). */
export interface FormulationJob {
  /** Label of the backend in the tables (`wasm`, `browser-wasm`, ...). */
  backend: string;
  /** The tfjs backend to select. */
  tfBackend: string;
  sizes: FormulationSize[];
  items: FormulationItem[];
  formulations: ConvFormulation[];
  /** Time the compiled inference model next to the model cases. */
  compiled: boolean;
  /** Timed repetitions after one warm-up. */
  reps: number;
  /** Side n of the n x n x n matMul timed between the cases. */
  matMulSize: number;
  /** Tensor bytes a training step may use before it is split into micro-batches. */
  memoryBudgetBytes: number;
}

/** Wall-clock time of one call, and the process CPU time where the environment can tell (Node), in ms. */
export interface Timing {
  wall: number;
  cpu: number | null;
}

/** The measurements of one (item, size, variant). */
export interface FormulationRow {
  item: FormulationItem;
  size: FormulationSize;
  variant: FormulationVariant;
  label: string;
  batch: number;
  /** Clips per gradient computation of the training step (the batch when not split). */
  microBatch: number;
  /** Forward GFLOP of one call (reference counting); a training step counts 3 x this. */
  forwardGflop: number;
  forward: Timing[];
  train: Timing[];
  /** Largest relative logit difference of the compiled model against the layers model. */
  maxRelativeDifference: number | null;
  error?: string;
}

/** What a job measured: the rows, and the matMul GFLOP/s of each timed matMul. */
export interface FormulationResult {
  rows: FormulationRow[];
  matMulGflops: number[];
}

/** The backends in table order: Node cpu and wasm, then Chromium's wasm, webgl and webgpu. */
export const FORMULATION_BACKENDS = ['cpu', 'wasm', 'browser-wasm', 'webgl', 'webgpu'];

/** One recorded run of `bench/formulations.ts` (an entry of `bench/formulations-results.json`). */
export interface FormulationRun extends FormulationResult {
  job: FormulationJob;
  /** `Node v20...` or `Chromium 156..., <device>`. */
  environment: string;
  date: string;
  /** 1-minute load average when the run started, and the machine's cores. */
  loadAverage: number;
  cores: number;
}

/** The environment's hooks: how to time a call, and where progress goes. */
export interface FormulationHooks {
  timed(fn: () => Promise<void>): Promise<Timing>;
  log(message: string): void;
}

/** One benchmark subject (a block or model built for one variant). */
interface Subject {
  forward(): Promise<void>;
  /** Absent for the compiled model (inference only). */
  train?(): Promise<void>;
  dispose(): void;
  microBatch: number;
  maxRelativeDifference: number | null;
}

interface Case {
  item: FormulationItem;
  size: FormulationSize;
  batch: number;
  label: string;
  forwardGflop: number;
  make(variant: FormulationVariant, memoryBudget: number): Promise<Subject>;
}

function blockCase(size: FormulationSize): Case {
  const [batch, frames, channels] = size === 'official' ? [16, 100, 64] : [4, 32, 16];
  const shape = [batch, 2, frames, 5, 5, channels];
  // One block = the model's conv part with one block and 25 cells, without the UPT/GIT and classifier terms.
  const macs = batch * 2 * 25 * (frames * channels * channels * 9 + frames * channels * channels * 9);
  return {
    item: 'block',
    size,
    batch,
    label: `block ${channels}->${channels}, input [${shape.join(', ')}]`,
    forwardGflop: (2 * macs) / 1e9,
    async make(variant) {
      if (variant === 'compiled') throw new Error('a single block has no compiled form');
      const block = new GridConvBlock({ name: `block_${variant}`, filters: channels, convFormulation: variant, seed: 1 });
      const x = tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 2), true, `bench_x_${variant}_${size}`);
      block.apply(x); // builds the weights
      const weights = tf.randomNormal(shape, 0, 1, 'float32', 3);
      const vars = [x, ...block.trainableWeights.map((w) => w.read() as tf.Variable)];
      return {
        microBatch: batch,
        maxRelativeDifference: null,
        async forward() {
          const y = block.apply(x, { training: false }) as tf.Tensor;
          await y.data();
          y.dispose();
        },
        async train() {
          const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(block.apply(x, { training: true }) as tf.Tensor, weights)) as tf.Scalar, vars);
          await value.data();
          await Promise.all(Object.values(grads).map((g) => g.data()));
          value.dispose();
          tf.dispose(grads);
        },
        dispose() {
          tf.dispose([x, weights]);
          block.dispose();
        },
      };
    },
  };
}

function modelCase(size: FormulationSize): Case {
  const official = size === 'official';
  const [batch, frames] = official ? [16, 100] : [4, 32];
  const blocks = official ? REFERENCE_BLOCKS.map((b) => ({ ...b })) : REFERENCE_BLOCKS.map((b) => ({ filters: b.filters / 4, stride: b.stride }));
  const numClasses = 60;
  return {
    item: 'model',
    size,
    batch,
    label: `5x5 model${official ? '' : ' (1/4 channels)'}, batch ${batch}, T ${frames}, 2 persons`,
    forwardGflop: batch * forwardGflopPerSample({ grid: 5, stages: [17], frames, blocks, numClasses }),
    async make(variant, memoryBudget) {
      const model = buildSke2Grid({ frames, blocks, numClasses, seed: 1, convFormulation: variant === 'compiled' ? 'auto' : variant });
      const x = tf.randomNormal([batch, 2, frames, 17, 3], 0, 1, 'float32', 2);
      if (variant === 'compiled') {
        const compiled = await compileForInferenceAsync(model);
        const [a, b] = [compiled.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor];
        const [got, want] = await Promise.all([a.data(), b.data()]);
        tf.dispose([a, b]);
        let diff = 0;
        let scale = 0;
        for (let i = 0; i < want.length; i++) {
          diff = Math.max(diff, Math.abs(got[i] - want[i]));
          scale = Math.max(scale, Math.abs(want[i]));
        }
        const difference = diff / scale;
        model.dispose();
        return {
          microBatch: batch,
          maxRelativeDifference: difference,
          async forward() {
            const out = compiled.predict(x) as tf.Tensor;
            await out.data();
            out.dispose();
          },
          dispose() {
            x.dispose();
            compiled.dispose();
          },
        };
      }
      const y = tf.tidy(() =>
        tf.oneHot(
          tf.tensor1d(
            Array.from({ length: batch }, (_, i) => i % numClasses),
            'int32',
          ),
          numClasses,
        ),
      );
      // The benchmark's one training step (`bench/trainingStep.ts`: the library's optimizer and loss,
      // gradient accumulation over micro-batches), probed on one clip to choose the micro-batch.
      const probe = createTrainingStep(model, { learningRate: 1e-4 });
      const microBatch = await chooseMicroBatch(batch, memoryBudget, async (micro) => {
        const xs = tf.slice(x, 0, micro);
        const ys = tf.slice(y, 0, micro);
        await probe.step(xs, ys);
        tf.dispose([xs, ys]);
      });
      probe.dispose();
      const trainer = createTrainingStep(model, { learningRate: 1e-4, microBatch });
      return {
        microBatch,
        maxRelativeDifference: null,
        async forward() {
          const out = model.predict(x) as tf.Tensor;
          await out.data();
          out.dispose();
        },
        async train() {
          await trainer.step(x, y);
        },
        dispose() {
          tf.dispose([x, y]);
          trainer.dispose();
          model.dispose();
        },
      };
    },
  };
}

/**
 * The largest micro-batch (a divisor of `batch`) whose training step's peak tensor memory, scaled
 * from a probe at micro-batch 1 (`tf.profile`), stays within `budget` bytes.
 */
async function chooseMicroBatch(batch: number, budget: number, probe: (micro: number) => Promise<void>): Promise<number> {
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => probe(1));
  const perSample = Math.max(1, info.peakBytes - before);
  const fits = [...Array(batch).keys()].map((i) => i + 1).filter((m) => batch % m === 0 && m * perSample <= budget);
  return fits.length ? fits[fits.length - 1] : 1;
}

/** Runs a job on the active backend: per case, every variant warmed up once, then `reps` interleaved timed rounds, the matMul between them. */
export async function runFormulationJob(job: FormulationJob, hooks: FormulationHooks): Promise<FormulationResult> {
  const n = job.matMulSize;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 9) as tf.Tensor2D;
  const matMulGflops: number[] = [];
  const matMul = async () => {
    const t = await hooks.timed(async () => {
      const c = tf.matMul(a, a);
      await c.data();
      c.dispose();
    });
    return (2 * n ** 3) / (t.cpu ?? t.wall) / 1e6;
  };
  const measureMatMul = async () => {
    for (let i = 0; i < 3; i++) matMulGflops.push(await matMul());
  };
  await matMul(); // warm-up
  const rows: FormulationRow[] = [];
  const cases = job.sizes.flatMap((size) => job.items.map((item) => (item === 'block' ? blockCase(size) : modelCase(size))));
  try {
    for (const c of cases) {
      const variants: FormulationVariant[] = [...job.formulations, ...(job.compiled && c.item === 'model' ? (['compiled'] as const) : [])];
      const subjects = new Map<FormulationRow, Subject>();
      for (const variant of variants) {
        const row: FormulationRow = {
          item: c.item,
          size: c.size,
          variant,
          label: c.label,
          batch: c.batch,
          microBatch: c.batch,
          forwardGflop: c.forwardGflop,
          forward: [],
          train: [],
          maxRelativeDifference: null,
        };
        rows.push(row);
        try {
          const s = await c.make(variant, job.memoryBudgetBytes);
          await s.forward(); // warm-up (shader compilation, XNNPACK operators)
          await s.train?.();
          subjects.set(row, s);
          row.microBatch = s.microBatch;
          row.maxRelativeDifference = s.maxRelativeDifference;
        } catch (e) {
          row.error = String((e as Error).message ?? e)
            .split('\n')[0]
            .slice(0, 200);
        }
      }
      await measureMatMul();
      for (let r = 0; r < job.reps; r++) {
        for (const [row, s] of subjects) {
          row.forward.push(await hooks.timed(() => s.forward()));
          if (s.train) row.train.push(await hooks.timed(() => s.train!()));
        }
        await measureMatMul();
      }
      for (const s of subjects.values()) s.dispose();
      hooks.log(`${job.backend}: ${c.item} ${c.size} done`);
    }
  } finally {
    a.dispose();
  }
  return { rows, matMulGflops };
}
