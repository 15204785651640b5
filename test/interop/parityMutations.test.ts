/**
 * Mutation tests of the parity verdict: semantic bugs injected into a copy of the model (its
 * config, its weights after loading, one layer's behaviour) or into an op (through vitest module
 * mocks, switched on per test) must each make `runParityWith` decide "not equal" on both shared
 * fixtures, while the unmutated port, whose full-network gradients differ from the reference only
 * through ReLU inputs within rounding distance of zero, is decided "equal".
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GridConvBlock } from '../../src/layers/GridConvBlock.js';
import { UpsamplingTransform } from '../../src/layers/UpsamplingTransform.js';
import { officialWeightMap } from '../../src/interop/officialWeights.js';
import { runParityWith, type ParityReport, type ParityRunHooks } from '../../src/interop/parityChecks.js';
import type { ParityFixture } from '../../src/interop/parityFixture.js';
import { buildSke2Grid, layerNames } from '../../src/model/buildSke2Grid.js';
import { readParityFixture } from '../../src/node/readParityFixture.js';
import { SHARED, useBackend } from '../helpers/backends.js';

/** The op-level mutation switched on for the current test (read by the module mocks below). */
const opMutation = vi.hoisted(() => ({ current: null as null | 'temporal-padding' | 'git-tie-rule' | 'straight-through-x2' }));

vi.mock('../../src/ops/paddedConv2d.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/ops/paddedConv2d.js')>();
  return {
    ...mod,
    paddedConv2d: (x: tf.Tensor4D, filter: tf.Tensor4D, options: import('../../src/ops/paddedConv2d.js').PaddedConv2dOptions = {}) => {
      const [ph, pw] = options.padding ?? [0, 0];
      if (opMutation.current === 'temporal-padding' && filter.shape[0] > 1 && filter.shape[1] === 1 && pw === 0) {
        // Temporal padding off by one: ph - 1 frames before, ph + 1 after (same output length).
        const padded = tf.pad(x, [
          [0, 0],
          [ph - 1, ph + 1],
          [0, 0],
          [0, 0],
        ]) as tf.Tensor4D;
        return mod.paddedConv2d(padded, filter, { ...options, padding: [0, 0] });
      }
      return mod.paddedConv2d(x, filter, options);
    },
  };
});

vi.mock('../../src/ops/greedyAssignment.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/ops/greedyAssignment.js')>();
  return {
    ...mod,
    greedyAssignment: (scores: ArrayLike<number> | readonly (readonly number[])[], n: number, noise?: ArrayLike<number>) => {
      if (opMutation.current !== 'git-tie-rule') return mod.greedyAssignment(scores, n, noise);
      // A different conflict rule: a row whose best column is taken gets the lowest free column.
      const flat = Array.isArray(scores) ? (scores as number[][]).flat() : Array.from(scores as ArrayLike<number>);
      const used = new Set<number>();
      const out: number[] = [];
      for (let r = 0; r < n; r++) {
        const row = flat.slice(r * n, r * n + n);
        let best = row.indexOf(Math.max(...row));
        if (used.has(best)) best = [...Array(n).keys()].find((c) => !used.has(c))!;
        used.add(best);
        out.push(best);
      }
      return out;
    },
  };
});

vi.mock('../../src/ops/jointMixing.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/ops/jointMixing.js')>();
  return {
    ...mod,
    jointOuterProductSum: (a: tf.Tensor, b: tf.Tensor) => {
      const g = mod.jointOuterProductSum(a, b);
      if (opMutation.current !== 'straight-through-x2') return g;
      const doubled = tf.mul(g, 2) as tf.Tensor2D;
      g.dispose();
      return doubled;
    },
  };
});

const FIXTURES = `${SHARED}fixtures/parity/`;
const NAMES = ['d5_t12', 'd6_t12_pls'] as const;

/** Replaces the variable of official key `key` (all blocks when it contains `{b}`) by `f(value)`. */
function mutateWeights(model: tfl.LayersModel, pattern: RegExp, f: (v: tf.Tensor) => tf.Tensor): void {
  const hits = officialWeightMap(model).filter((mp) => pattern.test(mp.key));
  expect(hits.length).toBeGreaterThan(0);
  for (const mp of hits) {
    const next = tf.tidy(() => f(mp.variable.read()));
    mp.variable.write(next);
    next.dispose();
  }
}

interface Mutation {
  name: string;
  hooks?: ParityRunHooks;
  op?: NonNullable<(typeof opMutation)['current']>;
  /** The kind of check expected to catch it. */
  caughtBy: RegExp;
}

const MUTATIONS: Mutation[] = [
  {
    name: 'temporal kernel taps reversed',
    hooks: { afterLoad: (m) => mutateWeights(m, /tcn2cn\.2\.weight$/, (v) => tf.reverse(v, 0)) },
    caughtBy: /^forward check failed: eval\.block0_out/,
  },
  {
    name: 'spatial kernel transposed',
    hooks: { afterLoad: (m) => mutateWeights(m, /gcn2cn\.conv\.weight$/, (v) => tf.transpose(v, [1, 0, 2, 3])) },
    caughtBy: /^forward check failed: eval\.block0_out/,
  },
  { name: 'temporal padding off by one', op: 'temporal-padding', caughtBy: /^forward check failed: eval\.block0_out/ },
  {
    name: 'BatchNorm epsilon 1e-3',
    hooks: { build: (config) => buildSke2Grid({ ...config, batchNormEpsilon: 1e-3 }) },
    caughtBy: /^forward check failed: eval\.data_bn_out/,
  },
  {
    // Keras' momentum weighs the old value: 0.1 read that way puts 0.9 on the new batch.
    name: 'BatchNorm momentum in the Keras sense',
    hooks: { build: (config) => buildSke2Grid({ ...config, batchNormMomentum: 0.9 }) },
    caughtBy: /^statistics check failed: bn_batchstats backbone\.data_bn\.running_(mean|var)/,
  },
  {
    name: 'one wrong edge in the stage-0 prior',
    hooks: {
      build: (config) => {
        const model = buildSke2Grid(config);
        const upt = model.getLayer(layerNames.upt(0)) as UpsamplingTransform;
        const prior = upt.prior!.map((row) => [...row]);
        expect(prior[0][16]).toBe(0);
        prior[0][16] = 1; // nose -> right ankle, not an edge of the layout
        Object.defineProperty(upt, 'prior', { value: prior });
        return model;
      },
    },
    caughtBy: /^forward check failed: upt_eff stage0/,
  },
  { name: 'a changed GIT tie rule', op: 'git-tie-rule', caughtBy: /^permutation check failed: permutation stage0/ },
  {
    name: 'a block without its residual',
    hooks: {
      build: (config) => {
        const model = buildSke2Grid(config);
        const block = model.getLayer(layerNames.block(5)) as GridConvBlock;
        Object.defineProperty(block, 'resolvedResidual', { value: 'none', writable: true });
        return model;
      },
    },
    caughtBy: /^forward check failed: eval\.(pooled|logits)/,
  },
  {
    name: 'the straight-through gradient scaled by 2',
    op: 'straight-through-x2',
    caughtBy: /^forward check failed: bn_frozen grid-loss grad backbone\.SGT_stages/,
  },
  {
    // Averaging the persons in front of the last block, where a ReLU follows (not linear).
    name: 'persons averaged before the last block instead of after pooling',
    hooks: {
      build: (config) => {
        const model = buildSke2Grid(config);
        const block = model.getLayer(layerNames.block(9)) as GridConvBlock;
        const call = block.call.bind(block);
        block.call = (inputs, kwargs) => {
          const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
          return tf.tidy(() => call(tf.mul(tf.onesLike(x), tf.mean(x, 1, true)), kwargs));
        };
        return model;
      },
    },
    caughtBy: /^forward check failed: eval\.(pooled|logits)/,
  },
];

const fixtures: Record<string, ParityFixture> = {};

beforeAll(async () => {
  await useBackend('wasm'); // the verdict's logic does not depend on the backend; wasm is the fast one
  for (const name of NAMES) {
    if (!existsSync(`${FIXTURES}${name}/manifest.json`)) throw new Error(`missing ${FIXTURES}${name} (the shared parity fixtures)`);
    fixtures[name] = readParityFixture(`${FIXTURES}${name}`);
  }
});

afterEach(() => {
  opMutation.current = null;
});

async function verdictOf(name: string, mutation: Pick<Mutation, 'hooks' | 'op'>, failFast: boolean): Promise<ParityReport> {
  const before = tf.memory().numTensors;
  opMutation.current = mutation.op ?? null;
  try {
    return await runParityWith(fixtures[name], { failFast }, mutation.hooks ?? {});
  } finally {
    opMutation.current = null;
    expect(tf.memory().numTensors).toBe(before);
  }
}

describe('parity verdict under injected semantic bugs', () => {
  for (const mutation of MUTATIONS) {
    for (const name of NAMES) {
      it(`fails on ${name}: ${mutation.name}`, async () => {
        const report = await verdictOf(name, mutation, true);
        expect(report.verdict.equal, report.verdict.reasons.join('\n')).toBe(false);
        expect(
          report.verdict.reasons.some((r) => mutation.caughtBy.test(r)),
          report.verdict.reasons.join('\n'),
        ).toBe(true);
      }, 900_000);
    }
  }
});

describe('parity verdict without a semantic bug', () => {
  // The unmutated port on both fixtures, flips included, is decided in parity.test.ts (cpu and wasm).
  for (const name of ['d5_t12'] as const) {
    // Averaging persons before the (linear) pooling instead of after is the same function, so it
    // must pass; it also leaves the port's ReLU states, hence its flips, as they are.
    it(`passes on ${name} with persons averaged before the average pooling, flips explained`, async () => {
      const hooks: ParityRunHooks = {
        build: (config) => {
          const model = buildSke2Grid(config);
          const pool = model.getLayer(layerNames.pool);
          pool.call = (inputs) => tf.tidy(() => tf.mean(tf.mean((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor, 1), [1, 2, 3]));
          return model;
        },
      };
      const report = await verdictOf(name, { hooks }, false);
      expect(report.verdict.equal, report.verdict.reasons.join('\n')).toBe(true);
      expect(report.checks.filter((c) => c.kind !== 'gradient').every((c) => c.pass)).toBe(true);
      for (const f of report.flips) {
        expect(f.explained).toBe(true);
        expect(f.units.length).toBeGreaterThan(0);
        expect(f.worstAfter).toBeLessThanOrEqual(1);
        for (const u of f.units) expect(u.relativeDistance).toBeLessThanOrEqual(3e-5);
      }
    }, 600_000);
  }
});
