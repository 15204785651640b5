/**
 * Microbenchmark of the convolution formulations of the grid blocks (`convFormulation`, see
 * `src/ops/convFormulation.ts`): for one grid block and for the whole 5x5 model, at a small and at
 * the official size, the forward (inference) time and the training-step time of every formulation,
 * with the achieved GFLOP/s (reference FLOP counting, zero-padding taps included; a training step
 * counts as 3 forward passes) and its ratio to the plain matMul GFLOP/s of the same backend measured
 * in the same run (between the cases, median). Rates use the process's CPU time, which on a shared
 * machine does not include the time spent waiting for a core (wall-clock times are printed too).
 * The numbers set `DEFAULT_CONV_FORMULATIONS`.
 *
 *   npx tsx bench/formulations.ts [--backend wasm|cpu] [--sizes small,official]
 *                                 [--formulations conv2d,matmul] [--items block,model] [--reps 3]
 *
 * Official sizes: block = block 1 of the reference (64 -> 64 channels, identity residual) on
 * `[16, 2, 100, 5, 5, 64]`; model = the official 5x5 COCO-17 model, batch 16, T = 100, 2 persons.
 * Small: a 16-channel block on `[4, 2, 32, 5, 5, 16]`; the model with a quarter of the channels,
 * batch 4, T = 32. A model training step is the library's recipe (`SgdWithWeightDecay`,
 * `logitsCrossEntropy`); when its estimated tensor memory exceeds the budget (wasm's heap stops at
 * 4 GB) the batch is split into equal micro-batches whose gradients are summed before the single
 * update (gradient accumulation: same FLOPs, same update). Defaults: wasm both sizes, cpu the small
 * one (the cpu backend runs ~1 GFLOP/s: an official training step would take over ten minutes).
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GridConvBlock } from '../src/layers/GridConvBlock.js';
import { buildSke2Grid } from '../src/model/buildSke2Grid.js';
import { REFERENCE_BLOCKS, type BlockSpec } from '../src/model/config.js';
import { CONV_FORMULATIONS, DEFAULT_CONV_FORMULATIONS, type ConvFormulation } from '../src/ops/convFormulation.js';
import { logitsCrossEntropy } from '../src/training/fitSke2Grid.js';
import { SgdWithWeightDecay } from '../src/training/sgdWithWeightDecay.js';

type Size = 'small' | 'official';
type Item = 'block' | 'model';

interface Options {
  backend: string;
  sizes: Size[];
  formulations: ConvFormulation[];
  items: Item[];
  reps: number;
}

/** One benchmark case: builds its subject for a formulation and runs a forward pass or a training step. */
interface Subject {
  forward(): Promise<void>;
  train(): Promise<void>;
  dispose(): void;
  /** Micro-batch of the training step (equal to the batch when no accumulation is needed). */
  microBatch: number;
}

interface Case {
  item: Item;
  size: Size;
  batch: number;
  label: string;
  forwardGflop: number;
  make(formulation: ConvFormulation, memoryBudget: number): Promise<Subject>;
}

/** Tensor memory a training step may use before it is split into micro-batches (wasm's heap is capped at 4 GB). */
const MEMORY_BUDGET: Record<string, number> = { wasm: 2 * 2 ** 30, cpu: 3 * 2 ** 30 };

function parseArgs(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = <T extends string>(flag: string, allowed: readonly T[], fallback: T[]): T[] => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const items = raw.split(',') as T[];
    for (const it of items) if (!allowed.includes(it)) throw new Error(`${flag}: expected a comma list of ${allowed.join(', ')}, got ${raw}`);
    return items;
  };
  const backend = value('--backend') ?? 'wasm';
  if (!['wasm', 'cpu'].includes(backend)) throw new Error(`--backend: expected wasm or cpu, got ${backend}`);
  const reps = Number(value('--reps') ?? 3);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected a positive integer, got ${value('--reps')}`);
  return {
    backend,
    sizes: list('--sizes', ['small', 'official'] as const, backend === 'cpu' ? ['small'] : ['small', 'official']),
    formulations: list('--formulations', CONV_FORMULATIONS, [...CONV_FORMULATIONS]),
    items: list('--items', ['block', 'model'] as const, ['block', 'model']),
    reps,
  };
}

/** Forward MACs of one grid block (reference counting): 3x3 conv per frame, 9-tap temporal conv, 1x1 residual conv. */
function blockMacs(samples: number, persons: number, frames: number, cells: number, cin: number, cout: number, stride: number, residualConv: boolean): number {
  const tOut = Math.floor((frames - 1) / stride) + 1;
  const perCell = frames * cout * cin * 9 + tOut * cout * cout * 9 + (residualConv ? tOut * cout * cin : 0);
  return perCell * samples * persons * cells;
}

/** Forward MACs of one Ske2Grid sample (5x5 grid, one UPT/GIT stage 17 -> 25), reference counting. */
function modelMacsPerSample(frames: number, blocks: readonly BlockSpec[], numClasses: number): number {
  const persons = 2;
  const cells = 25;
  let conv = 0;
  let t = frames;
  let cin = 3;
  blocks.forEach((b, i) => {
    conv += blockMacs(1, persons, t, cells, cin, b.filters, b.stride, i > 0 && (cin !== b.filters || b.stride !== 1));
    t = Math.floor((t - 1) / b.stride) + 1;
    cin = b.filters;
  });
  const columns = 3 * frames;
  const mixing = 25 * 17 * 17 + persons * (25 * 17 * columns + 25 * 25 * columns);
  return conv + cin * numClasses + mixing;
}

function blockCase(size: Size): Case {
  const [batch, frames, channels] = size === 'official' ? [16, 100, 64] : [4, 32, 16];
  const shape = [batch, 2, frames, 5, 5, channels];
  return {
    item: 'block',
    size,
    batch,
    label: `block ${channels}->${channels}, input [${shape.join(', ')}]`,
    forwardGflop: (2 * blockMacs(batch, 2, frames, 25, channels, channels, 1, false)) / 1e9,
    async make(formulation) {
      const block = new GridConvBlock({ name: `block_${formulation}`, filters: channels, convFormulation: formulation, seed: 1 });
      const x = tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 2), true, `bench_x_${formulation}_${size}`);
      block.apply(x); // builds the weights
      const outShape = [batch, 2, frames, 5, 5, channels];
      const weights = tf.randomNormal(outShape, 0, 1, 'float32', 3);
      const vars = [x, ...block.trainableWeights.map((w) => w.read() as tf.Variable)];
      return {
        microBatch: batch,
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

function modelCase(size: Size): Case {
  const official = size === 'official';
  const [batch, frames] = official ? [16, 100] : [4, 32];
  const blocks = official ? REFERENCE_BLOCKS.map((b) => ({ ...b })) : REFERENCE_BLOCKS.map((b) => ({ filters: b.filters / 4, stride: b.stride }));
  const numClasses = 60;
  return {
    item: 'model',
    size,
    batch,
    label: `5x5 model${official ? '' : ' (1/4 channels)'}, batch ${batch}, T ${frames}, 2 persons`,
    forwardGflop: (2 * modelMacsPerSample(frames, blocks, numClasses) * batch) / 1e9,
    async make(formulation, memoryBudget) {
      const model = buildSke2Grid({ frames, blocks, numClasses, seed: 1, convFormulation: formulation });
      const x = tf.randomNormal([batch, 2, frames, 17, 3], 0, 1, 'float32', 2);
      const y = tf.tidy(() =>
        tf.oneHot(
          tf.tensor1d(
            Array.from({ length: batch }, (_, i) => i % numClasses),
            'int32',
          ),
          numClasses,
        ),
      );
      const optimizer = new SgdWithWeightDecay({ learningRate: 1e-4 });
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const gradients = (xs: tf.Tensor, ys: tf.Tensor) =>
        optimizer.computeGradients(() => logitsCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, vars);
      const microBatch = await chooseMicroBatch(batch, memoryBudget, async (micro) => {
        const xs = tf.slice(x, 0, micro);
        const ys = tf.slice(y, 0, micro);
        const { value, grads } = gradients(xs, ys);
        await value.data();
        tf.dispose([xs, ys, value, ...Object.values(grads)]);
      });
      const step = async () => {
        let sums: tf.NamedTensorMap | null = null;
        for (let start = 0; start < batch; start += microBatch) {
          const xs = microBatch === batch ? x : tf.slice(x, start, microBatch);
          const ys = microBatch === batch ? y : tf.slice(y, start, microBatch);
          const { value, grads } = gradients(xs, ys);
          await value.data();
          value.dispose();
          if (xs !== x) tf.dispose([xs, ys]);
          if (sums === null) sums = grads;
          else {
            const previous: tf.NamedTensorMap = sums;
            sums = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.add(previous[name], g)]));
            tf.dispose([...Object.values(previous), ...Object.values(grads)]);
          }
        }
        const parts = batch / microBatch;
        const averaged = Object.fromEntries(Object.entries(sums!).map(([name, g]) => [name, parts === 1 ? g : tf.div(g, parts)]));
        optimizer.applyGradients(averaged);
        tf.dispose(Object.values(averaged));
        if (parts > 1) tf.dispose(Object.values(sums!));
      };
      return {
        microBatch,
        async forward() {
          const out = model.predict(x) as tf.Tensor;
          await out.data();
          out.dispose();
        },
        train: step,
        dispose() {
          tf.dispose([x, y]);
          optimizer.dispose();
          tf.SGDOptimizer.prototype.dispose.call(optimizer); // tfjs 4.22's MomentumOptimizer.dispose skips its learning-rate scalar
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

/** Wall-clock and process CPU time (user + system) of one run, in ms. */
interface Timing {
  wall: number;
  cpu: number;
}

/**
 * Runs `fn` once and returns its wall-clock and CPU time. On a shared, loaded machine the wall
 * time includes the time this process waited for a core; the CPU time does not, so rates and
 * ratios below use CPU time (tfjs-backend-wasm is single-threaded in Node).
 */
async function timed(fn: () => Promise<void> | void): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e3 };
}

/** Plain matMul GFLOP/s per CPU second: one n x n x n product (n = 1024 on wasm, 512 on cpu). */
async function matMulGflops(a: tf.Tensor2D): Promise<number> {
  const n = a.shape[0];
  const t = await timed(() => {
    const c = tf.matMul(a, a);
    c.dataSync();
    c.dispose();
  });
  return (2 * n ** 3) / t.cpu / 1e6;
}

const median = (v: number[]) => {
  const s = [...v].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  await tf.setBackend(opts.backend);
  await tf.ready();
  if (tf.getBackend() !== opts.backend) throw new Error(`backend ${opts.backend} is not available (got ${tf.getBackend()})`);
  void tfl; // tfjs-layers registers the gradients the training steps need
  const n = opts.backend === 'cpu' ? 512 : 1024;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 9) as tf.Tensor2D;
  await matMulGflops(a); // warm-up
  const matMul: number[] = [];
  const measureMatMul = async () => {
    for (let i = 0; i < 3; i++) matMul.push(await matMulGflops(a));
  };
  const cases = opts.sizes.flatMap((size) => opts.items.map((item) => (item === 'block' ? blockCase(size) : modelCase(size))));

  const results: { c: Case; f: ConvFormulation; forward: Timing[]; train: Timing[]; microBatch: number }[] = [];
  console.log(`# convolution formulations on ${opts.backend} (Node ${process.version}), auto picks '${DEFAULT_CONV_FORMULATIONS[opts.backend]}'`);
  for (const c of cases) {
    const subjects = new Map<ConvFormulation, Subject>();
    for (const f of opts.formulations) {
      const s = await c.make(f, MEMORY_BUDGET[opts.backend]);
      await s.forward(); // warm-up (kernels, XNNPACK operators)
      await s.train();
      subjects.set(f, s);
      results.push({ c, f, forward: [], train: [], microBatch: s.microBatch });
    }
    const mine = results.slice(-opts.formulations.length);
    await measureMatMul();
    for (let r = 0; r < opts.reps; r++) {
      for (const entry of mine) {
        const s = subjects.get(entry.f)!;
        entry.forward.push(await timed(() => s.forward()));
        entry.train.push(await timed(() => s.train()));
      }
      await measureMatMul();
    }
    for (const s of subjects.values()) s.dispose();
    console.log(`${c.item} ${c.size}: done`);
  }
  a.dispose();

  const reference = median(matMul);
  console.log(
    `\nplain matMul ${n}^3 on ${opts.backend}: ${reference.toFixed(2)} GFLOP/s per CPU second (median of ${matMul.length} runs, ` +
      `${Math.min(...matMul).toFixed(2)}-${Math.max(...matMul).toFixed(2)}), measured between the cases`,
  );
  console.log(`median of ${opts.reps} timed repetitions after one warm-up; a training step counts 3 x the forward GFLOP;`);
  console.log('GFLOP/s per CPU second of this process (wall-clock times include waiting for a core on a loaded machine)\n');
  console.log(
    '| item | size | formulation | forward ms (wall / CPU) | train step ms (wall / CPU) | forward GFLOP/s | train GFLOP/s | forward / matMul | train / matMul | case |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const { c, f, forward, train, microBatch } of results) {
    const fw = median(forward.map((t) => t.wall));
    const fc = median(forward.map((t) => t.cpu));
    const tw = median(train.map((t) => t.wall));
    const tc = median(train.map((t) => t.cpu));
    const fRate = c.forwardGflop / (fc / 1e3);
    const tRate = (3 * c.forwardGflop) / (tc / 1e3);
    const note = microBatch < c.batch ? `, micro-batch ${microBatch}` : '';
    console.log(
      `| ${c.item} | ${c.size} | ${f} | ${fw.toFixed(0)} / ${fc.toFixed(0)} | ${tw.toFixed(0)} / ${tc.toFixed(0)} | ${fRate.toFixed(2)} | ${tRate.toFixed(2)} | ` +
        `${((100 * fRate) / reference).toFixed(0)} % | ${((100 * tRate) / reference).toFixed(0)} % | ${c.label}${note} |`,
    );
  }
}

await main();
