/**
 * Kernel coverage: records the kernels a small Ske2Grid model really executes (inference, a
 * custom training step, and `fit`) under every convolution formulation and checks that every one
 * of them is registered by each tfjs backend we target. The kernel lists are in `../shared/kernels/<backend>.txt` (relative to the
 * repo root), one kernel name per line. A model that silently cannot train on wasm, or cannot
 * run on tfjs-node, fails here on the cpu backend alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSke2Grid, CONV_FORMULATIONS, PermutationSync, type ConvFormulation } from '../src/index.js';
import { SHARED, useBackend } from './helpers/backends.js';
import { TINY } from './helpers/tiny.js';

const KERNELS_DIR = join(SHARED, 'kernels');
const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu', 'tensorflow'] as const;
type Backend = (typeof BACKENDS)[number];
type Phase = 'predict' | 'train-step' | 'fit';

function readKernelLists(): Record<Backend, Set<string>> {
  if (!existsSync(KERNELS_DIR)) {
    throw new Error(
      `kernel lists: expected the shared folder ${KERNELS_DIR} (../shared/kernels from the repo root) with ${BACKENDS.join(', ')} .txt files, got no such folder`,
    );
  }
  const lists = {} as Record<Backend, Set<string>>;
  for (const b of BACKENDS) {
    const file = join(KERNELS_DIR, `${b}.txt`);
    if (!existsSync(file)) throw new Error(`kernel lists: expected ${file}, got no such file`);
    const names = readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    if (names.length < 50) throw new Error(`kernel lists: expected a full kernel list in ${file}, got ${names.length} names`);
    lists[b] = new Set(names);
  }
  return lists;
}

/**
 * Runs `fn` under `tf.profile` and returns the names it recorded. `kernelNames` is copied at once
 * (the profile object is reused by the engine).
 */
async function recordKernels(fn: () => Promise<void> | void): Promise<string[]> {
  const info = await tf.profile(async () => {
    await fn();
  });
  return [...info.kernelNames];
}

/**
 * `tf.profile` also records names that are not kernels: a `tf.customGrad` op (our straight-through
 * GIT permutation, the tap-wise conv filter gradient) runs through the engine under the name of
 * the scope that is active when it is called: an op scope (`<opName>__op`, e.g. `fusedMatMul__op`,
 * `softmaxCrossEntropy__op`: tfjs' own customGrad ops) or tfjs' `'unnamed scope'` (our customGrads
 * called inside an unnamed `tf.tidy`), in principle also `''`. Real kernel names are PascalCase (`Conv2D`) or start with `_`
 * (`_FusedMatMul`). So: a recorded name that is in no backend list is dropped only if it looks
 * like a scope name (empty, or starting with a lowercase letter); a PascalCase/`_` name that is in
 * no list is kept and reported (a kernel no backend has, or a stale list).
 */
function isScopeName(name: string | undefined): boolean {
  return name == null || name === '' || /^[a-z]/.test(name);
}

/** Runs predict, a custom training step and `fit` on a tiny model under `tf.profile`; returns the names recorded per phase. */
async function recordModelKernels(backend: string, convFormulation: ConvFormulation): Promise<{ names: Map<string, Set<Phase>>; leaked: number }> {
  await useBackend(backend);
  const names = new Map<string, Set<Phase>>();
  const record = (phase: Phase, recorded: string[]) => {
    for (const n of recorded) {
      if (!names.has(n)) names.set(n, new Set());
      names.get(n)!.add(phase);
    }
  };
  const tensorsBefore = tf.memory().numTensors;
  const optimizer = tf.train.momentum(0.01, 0.9, true);

  // Block 0 has no residual, block 1 a conv residual with stride 2, block 2 an identity
  // residual. Dropout > 0 adds the dropout kernels of the training paths.
  const model = buildSke2Grid({ ...TINY, dropout: 0.1, convFormulation });
  const [, persons, frames, joints, channels] = model.inputs[0].shape as number[];
  const x = tf.randomNormal([2, persons, frames, joints, channels]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3), 'float32'));

  record(
    'predict',
    await recordKernels(async () => {
      const out = model.predict(x) as tf.Tensor;
      await out.data();
      out.dispose();
    }),
  );

  record(
    'train-step',
    await recordKernels(async () => {
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      await value.data();
      value.dispose();
      tf.dispose(grads);
    }),
  );

  model.compile({ optimizer, loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  record(
    'fit',
    await recordKernels(async () => {
      const history = await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0, callbacks: [new PermutationSync()] });
      expect(history.history.loss).toHaveLength(1);
    }),
  );

  tf.dispose([x, y]);
  optimizer.dispose();
  // tfjs-core 4.22: MomentumOptimizer.dispose() does not call SGDOptimizer.dispose(), so the
  // learning-rate scalar it keeps would outlive it (a tfjs leak, not ours). Dispose it too
  // (a no-op once tfjs fixes it).
  tf.SGDOptimizer.prototype.dispose.call(optimizer);
  model.dispose();
  return { names, leaked: tf.memory().numTensors - tensorsBefore };
}

/** Kernels that must (and must not) run per formulation: a sanity check that the recording sees the model's real paths. */
const EXPECTED: Record<ConvFormulation, { run: string[]; absent: string[] }> = {
  // Forward fused convolutions; gradients are forward Conv2D calls on flipped filters.
  conv2d: { run: ['FusedConv2D', 'Conv2D', 'Reverse', 'BatchMatMul'], absent: [] },
  // Patches (pad, slices, concat) times the filter as a matrix; no convolution kernel at all.
  matmul: { run: ['_FusedMatMul', 'BatchMatMul', 'Concat', 'Slice', 'Reverse'], absent: ['Conv2D', 'FusedConv2D'] },
};

/**
 * The batch-norm statistics and bias gradients reduce rows per backend (`src/ops/columnSums.ts`):
 * cpu and wasm are recorded below; webgl, webgpu and tensorflow take `tf.mean` / `tf.sum`.
 */
const GENERIC_REDUCTIONS = ['Mean', 'Sum'];

for (const formulation of CONV_FORMULATIONS) {
  describe(`kernel coverage of a Ske2Grid model on every backend, convFormulation '${formulation}'`, () => {
    let lists: Record<Backend, Set<string>>;
    const executed = new Map<string, Set<Phase>>();
    const dropped = new Set<string>();
    let onWasm = new Map<string, Set<Phase>>();
    let leaked: number[] = [];

    beforeAll(async () => {
      lists = readKernelLists();
      const isKernel = (n: string) => (BACKENDS as readonly string[]).some((b) => lists[b as Backend].has(n));
      const cpu = await recordModelKernels('cpu', formulation);
      const wasm = await recordModelKernels('wasm', formulation);
      for (const [n, phases] of cpu.names) {
        if (isKernel(n)) executed.set(n, phases);
        else dropped.add(n);
      }
      onWasm = new Map([...wasm.names].filter(([n]) => isKernel(n)));
      for (const n of wasm.names.keys()) if (!isKernel(n)) dropped.add(n);
      leaked = [cpu.leaked, wasm.leaked];
      await useBackend('cpu');
    });

    it('records the kernels of predict, a training step and fit', () => {
      const phases = new Set([...executed.values()].flatMap((s) => [...s]));
      expect([...phases].sort()).toEqual(['fit', 'predict', 'train-step']);
      for (const k of EXPECTED[formulation].run) expect(executed.has(k), `expected kernel ${k} to be recorded`).toBe(true);
      // The backprop kernels wasm lacks or runs slowly never run.
      for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'UnsortedSegmentSum', ...EXPECTED[formulation].absent]) {
        expect(executed.has(k) || onWasm.has(k), `kernel ${k} should not run`).toBe(false);
      }
    });

    it('drops only scope names (no unknown kernel)', () => {
      const unknown = [...dropped].filter((n) => !isScopeName(n));
      expect(unknown, `recorded names that look like kernels but are in no backend list: ${unknown.join(', ')}`).toEqual([]);
    });

    it('every kernel executed on cpu is registered on cpu, wasm, webgl, webgpu and tensorflow', () => {
      const missing = Object.fromEntries(
        BACKENDS.map((backend) => [
          backend,
          [...executed.entries()]
            .filter(([name]) => !lists[backend].has(name))
            .map(([name, phases]) => `${name} (${[...phases].join(', ')})`)
            .sort(),
        ]),
      ) as Record<Backend, string[]>;
      const report = BACKENDS.filter((b) => missing[b].length > 0)
        .map((b) => `${b}: ${missing[b].join(', ')}`)
        .join('; ');
      expect(missing, `kernels executed by the model but not registered -> ${report}`).toEqual(Object.fromEntries(BACKENDS.map((b) => [b, []])));
    });

    it('every kernel executed on wasm is registered on wasm; the generic reductions on the other backends', () => {
      expect([...onWasm.keys()].filter((n) => !lists.wasm.has(n))).toEqual([]);
      for (const b of ['webgl', 'webgpu', 'tensorflow'] as const)
        expect(
          GENERIC_REDUCTIONS.filter((k) => !lists[b].has(k)),
          b,
        ).toEqual([]);
    });

    it('leaves no tensor behind', () => {
      expect(leaked).toEqual([0, 0]);
    });
  });
}
