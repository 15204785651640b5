/**
 * `npm run parity:report`: runs the parity verdict on the shared fixtures on the cpu and wasm
 * backends and writes `bench/parity-results.json`, the source of the README's parity table
 * (printed at the end as markdown).
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { runParity, type ParityCheck, type ParityReport } from '../src/index.js';
import { readParityFixture } from '../src/node.js';
import { finishMachineInfo, machineInfo } from './machine.js';

const FIXTURES = ['d5_t12', 'd6_t12_pls'];
const BACKENDS = (process.argv.find((a) => a.startsWith('--backends='))?.slice(11) ?? 'cpu,wasm').split(',');
const OUT = new URL('./parity-results.json', import.meta.url);

/** One row of the results file: the verdict and the largest differences by kind of check. */
interface ParityRow {
  fixture: string;
  backend: string;
  equal: boolean;
  checks: number;
  permutationMismatches: number;
  forwardMaxrel: number;
  statisticsMaxrel: number;
  gradientMaxrelBeforeFlips: number;
  /** Largest relative gradient difference with the flipped units inverted; null when nothing was flipped. */
  gradientMaxrelAfterFlips: number | null;
  flips: { variant: string; block: number; relu: string; personSample: number; input: number; relativeDistance: number }[];
  seconds: number;
}

const max = (cs: { value: number }[]) => cs.reduce((a, c) => Math.max(a, c.value), 0);

/** A gradient check's value with its variant's flips applied (the check itself when none were). */
function afterFlips(report: ParityReport, c: ParityCheck): { value: number } {
  const f = report.flips.find((e) => c.name.startsWith(`${e.variant} `));
  return f?.checksAfter.find((a) => a.name === c.name) ?? c;
}

function row(fixture: string, backend: string, report: ParityReport, seconds: number): ParityRow {
  const { checks } = report;
  return {
    fixture,
    backend,
    equal: report.verdict.equal,
    checks: checks.length,
    permutationMismatches: checks.filter((c) => c.kind === 'permutation').reduce((a, c) => a + c.value, 0),
    forwardMaxrel: max(checks.filter((c) => c.kind === 'forward')),
    statisticsMaxrel: max(checks.filter((c) => c.kind === 'statistics' && c.metric === 'maxrel')),
    gradientMaxrelBeforeFlips: max(checks.filter((c) => c.kind === 'gradient' && c.metric === 'maxrel')),
    gradientMaxrelAfterFlips:
      report.flips.length === 0 ? null : max(checks.filter((c) => c.kind === 'gradient' && c.metric === 'maxrel').map((c) => afterFlips(report, c))),
    flips: report.flips.flatMap((f) =>
      f.units.map((u) => ({
        variant: f.variant,
        block: u.block,
        relu: u.relu,
        personSample: u.personSample,
        input: u.value,
        relativeDistance: u.relativeDistance,
      })),
    ),
    seconds,
  };
}

const machine = machineInfo();
const rows: ParityRow[] = [];
for (const backend of BACKENDS) {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`backend ${backend} is not available`);
  for (const name of FIXTURES) {
    const start = Date.now();
    const report = await runParity(readParityFixture(new URL(`../../shared/fixtures/parity/${name}`, import.meta.url).pathname));
    rows.push(row(name, backend, report, (Date.now() - start) / 1000));
    console.log(`${name} ${backend}: ${report.verdict.equal ? 'PASS' : 'FAIL'}`);
    writeFileSync(OUT, JSON.stringify({ machine, rows, complete: false }, null, 2) + '\n');
  }
}
finishMachineInfo(machine);
writeFileSync(OUT, JSON.stringify({ machine, rows, complete: true }, null, 2) + '\n');
console.log('| fixture | backend | verdict | forward | gradients | ReLU units flipped | gradients after the flip |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const flips = r.flips.map((f) => `${f.variant}: block ${f.block} ${f.relu}, input ${f.input.toExponential(1)}`).join('; ') || 'none';
  const after = r.gradientMaxrelAfterFlips === null ? '-' : r.gradientMaxrelAfterFlips.toExponential(1);
  console.log(
    `| ${r.fixture} | ${r.backend} | ${r.equal ? 'equal' : 'differs'} | ${r.forwardMaxrel.toExponential(1)} | ${r.gradientMaxrelBeforeFlips.toExponential(1)} | ${flips} | ${after} |`,
  );
}
