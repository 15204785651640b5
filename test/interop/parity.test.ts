import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ParityFixture } from '../../src/interop/parityFixture.js';
import { runParity, type ParityCheck, type ParityReport } from '../../src/interop/parityChecks.js';
import type { ConvFormulationSetting } from '../../src/ops/convFormulation.js';
import { readParityFixture } from '../../src/node/readParityFixture.js';
import { SHARED, useBackend } from '../helpers/backends.js';

const FIXTURES = `${SHARED}fixtures/parity/`;

function summarise(checks: ParityCheck[]): string {
  return checks.map((c) => `${c.pass ? 'ok  ' : 'FAIL'} ${c.name} ${c.metric}=${c.value.toExponential(2)} (tol ${c.tolerance})`).join('\n');
}

describe('parity fixtures are present', () => {
  it('finds ../shared/fixtures/parity', () => {
    expect(existsSync(`${FIXTURES}d5_t12/manifest.json`), `missing ${FIXTURES}d5_t12`).toBe(true);
    expect(existsSync(`${FIXTURES}d6_t12_pls/manifest.json`), `missing ${FIXTURES}d6_t12_pls`).toBe(true);
  });
});

type Variant = 'bn_frozen' | 'bn_batchstats';

/**
 * The fixture as the model of one run sees it: its config with the convolution formulation set,
 * and only the training variants listed (the others' reference tensors hidden, so their checks
 * do not run).
 */
function fixtureView(fixture: ParityFixture, convFormulation: ConvFormulationSetting, variants: readonly Variant[]): ParityFixture {
  const hidden = (name: string) => /^train\.bn_(frozen|batchstats)\./.test(name) && !variants.some((v) => name.startsWith(`train.${v}.`));
  const view = Object.create(fixture) as ParityFixture;
  view.config = () => ({ ...fixture.config(), convFormulation });
  view.has = (name: string) => !hidden(name) && fixture.has(name);
  view.names = (prefix?: string) => fixture.names(prefix).filter((name) => !hidden(name));
  return view;
}

/**
 * Each backend with its default formulation ('auto', which resolves per backend), plus the other
 * formulation on wasm (the fast backend) with the batch-statistics variant only, to keep CI time
 * low: its forward checks, dL/dgrid, train logits and every gradient under batch statistics.
 */
const RUNS: { backend: string; formulation: ConvFormulationSetting; variants: readonly Variant[] }[] = [
  { backend: 'cpu', formulation: 'auto', variants: ['bn_frozen', 'bn_batchstats'] },
  { backend: 'wasm', formulation: 'auto', variants: ['bn_frozen', 'bn_batchstats'] },
  { backend: 'wasm', formulation: 'matmul', variants: ['bn_batchstats'] },
];

for (const { backend, formulation, variants } of RUNS) {
  for (const name of ['d5_t12', 'd6_t12_pls']) {
    describe(`parity ${name} on ${backend}, convFormulation '${formulation}'`, () => {
      let report: ParityReport;
      let checks: ParityCheck[] = [];
      beforeAll(async () => {
        await useBackend(backend);
        const before = tf.memory().numTensors;
        report = await runParity(fixtureView(readParityFixture(`${FIXTURES}${name}`), formulation, variants));
        checks = report.checks;
        expect(tf.memory().numTensors).toBe(before);
      }, 600_000);

      it('matches index_sel for every GIT stage', () => {
        const perms = checks.filter((c) => c.kind === 'permutation');
        expect(perms.length).toBe(name === 'd5_t12' ? 1 : 2);
        for (const c of perms) expect(c.value, c.name).toBe(0);
      });

      it('matches UPT matrices, data_bn, grid, block 0, pooled features, eval and train logits, grid-loss gradients (< 1e-5)', () => {
        const fwd = checks.filter((c) => c.kind === 'forward');
        expect(fwd.map((c) => c.name)).toEqual(expect.arrayContaining(['eval.data_bn_out', 'eval.grid', 'eval.block0_out', 'eval.logits']));
        // Per fixture: train logits per variant, the batch-statistics grid, and grid-loss gradients.
        const expected = { d5_t12: { bn_frozen: 5, bn_batchstats: 6 }, d6_t12_pls: { bn_frozen: 7, bn_batchstats: 8 } }[name]!;
        const train = fwd.filter((c) => /^bn_/.test(c.name));
        expect(train.length).toBe(variants.reduce((n, v) => n + expected[v], 0));
        for (const c of fwd) expect(c.value, c.name).toBeLessThan(1e-5);
      });

      it('updates running statistics as PyTorch does (data_bn from the input: momentum 0.1, unbiased variance; every BN keeps 0.9)', () => {
        const stats = checks.filter((c) => c.kind === 'statistics');
        expect(stats.length).toBe(3);
        for (const c of stats) expect(c.value, c.name).toBeLessThan(1e-5);
      });

      it('decides "semantically equal": every gradient within 5e-5, or only through flipped near-zero ReLU inputs', () => {
        const grads = checks.filter((c) => c.kind === 'gradient');
        expect(grads.length).toBe(variants.length * (name === 'd5_t12' ? 12 : 14));
        expect(report.verdict.equal, summarise(checks) + '\n' + report.verdict.reasons.join('\n')).toBe(true);
        for (const variant of variants) {
          const failing = grads.filter((c) => !c.pass && c.name.startsWith(`${variant} `));
          const flip = report.flips.find((f) => f.variant === variant);
          if (failing.length === 0) continue;
          expect(flip?.explained).toBe(true);
          expect(flip!.units.length).toBeGreaterThanOrEqual(1);
          expect(flip!.units.length).toBeLessThanOrEqual(4);
          for (const u of flip!.units) expect(u.relativeDistance).toBeLessThanOrEqual(3e-5);
        }
      });
    });
  }
}
