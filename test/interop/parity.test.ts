import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runParityChecks, type ParityCheck } from '../../src/interop/parityChecks.js';
import { readParityFixture } from '../../src/node/readParityFixture.js';
import { SHARED, useBackend } from '../helpers/backends.js';

const FIXTURES = `${SHARED}fixtures/parity/`;

/**
 * Full-network gradients that a ReLU flip can move: the d5_t12 fixture has a unit whose input is
 * ~1e-6 from zero, and the wasm backend's fp32 rounding puts it on the other side. The flip is
 * confined to one person-sample (others match to ~1e-6), which these tests assert explicitly.
 */
const FLIP_SENSITIVE = /^bn_(frozen|batchstats) (grad backbone|grad\.grid)/;

function summarise(checks: ParityCheck[]): string {
  return checks.map((c) => `${c.pass ? 'ok  ' : 'FAIL'} ${c.name} ${c.metric}=${c.value.toExponential(2)} (tol ${c.tolerance})`).join('\n');
}

describe('parity fixtures are present', () => {
  it('finds ../shared/fixtures/parity', () => {
    expect(existsSync(`${FIXTURES}d5_t12/manifest.json`), `missing ${FIXTURES}d5_t12`).toBe(true);
    expect(existsSync(`${FIXTURES}d6_t12_pls/manifest.json`), `missing ${FIXTURES}d6_t12_pls`).toBe(true);
  });
});

for (const backend of ['cpu', 'wasm']) {
  for (const name of ['d5_t12', 'd6_t12_pls']) {
    describe(`parity ${name} on ${backend}`, () => {
      let checks: ParityCheck[] = [];
      beforeAll(async () => {
        await useBackend(backend);
        const before = tf.memory().numTensors;
        checks = await runParityChecks(readParityFixture(`${FIXTURES}${name}`));
        expect(tf.memory().numTensors).toBe(before);
      }, 300_000);

      it('matches index_sel for every GIT stage', () => {
        const perms = checks.filter((c) => c.name.startsWith('permutation'));
        expect(perms.length).toBe(name === 'd5_t12' ? 1 : 2);
        for (const c of perms) expect(c.value, c.name).toBe(0);
      });

      it('matches UPT matrices, data_bn, grid, block 0, pooled features and eval logits (< 1e-4)', () => {
        const fwd = checks.filter((c) => c.name.startsWith('eval.') || c.name.startsWith('upt_eff'));
        expect(fwd.map((c) => c.name)).toEqual(expect.arrayContaining(['eval.data_bn_out', 'eval.grid', 'eval.block0_out', 'eval.logits']));
        for (const c of fwd) expect(c.value, c.name).toBeLessThan(1e-4);
      });

      it('matches train-mode logits, the batch-statistics grid and the ReLU-free grid-loss gradients', () => {
        const tight = checks.filter((c) => / logits$| grid$|grid-loss grad/.test(c.name));
        expect(tight.length).toBeGreaterThanOrEqual(name === 'd5_t12' ? 11 : 15);
        for (const c of tight) expect(c.value, c.name).toBeLessThan(c.name.includes('grid-loss') ? 1e-5 : 1e-4);
      });

      it('matches full-network gradients for both BN variants (< 1e-3; conv biases absolute)', () => {
        const grads = checks.filter((c) => FLIP_SENSITIVE.test(c.name));
        expect(grads.length).toBeGreaterThanOrEqual(2 * (8 + 4));
        const flipped = backend === 'wasm' && name === 'd5_t12';
        if (!flipped) {
          expect(grads.filter((c) => !c.pass), summarise(grads)).toEqual([]);
          return;
        }
        // The documented ReLU flip: per variant at most one person-sample of dL/dgrid is off,
        // the others agree within 1e-3, and the parameter gradients stay within 3e-2.
        for (const variant of ['bn_frozen', 'bn_batchstats']) {
          const persons = grads.filter((c) => c.name.startsWith(`${variant} grad.grid`));
          expect(persons.length).toBe(4);
          expect(persons.filter((c) => !c.pass).length, summarise(persons)).toBeLessThanOrEqual(1);
          for (const c of grads.filter((g) => g.name.startsWith(`${variant} grad backbone`))) {
            expect(c.value, c.name).toBeLessThan(3e-2);
          }
        }
      });

      it('reports every check it ran as passing on this backend, or only the flip-sensitive ones', () => {
        const failing = checks.filter((c) => !c.pass && !FLIP_SENSITIVE.test(c.name));
        expect(failing, summarise(checks)).toEqual([]);
      });
    });
  }
}
