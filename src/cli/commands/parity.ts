/** `ske2grid parity <fixture-dir>`: the port against a fixture of the official code, one line per check, and a verdict. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runParity, type LocatedReluUnit, type ParityCheck, type ParityReport } from '../../interop/parityChecks.js';
import { readParityFixture } from '../../node/readParityFixture.js';
import { selectBackend } from '../backend.js';
import { CliUsageError, numberOption, stringOption, type CliCommand } from '../command.js';

function formatCheck(c: ParityCheck): string {
  const value = c.metric === 'mismatches' ? String(c.value) : c.value.toExponential(2);
  return `${c.pass ? 'ok  ' : 'diff'} ${c.name.padEnd(62)} ${c.metric} ${value} (tolerance ${c.tolerance})`;
}

function formatUnit(u: LocatedReluUnit): string {
  return (
    `block ${u.block} ${u.relu} ReLU, person-sample ${u.personSample}, frame ${u.frame}, cell ${u.cell}, channel ${u.channel}: ` +
    `input ${u.value.toExponential(3)} (${u.relativeDistance.toExponential(1)} x RMS)`
  );
}

/** The report lines after the checks: the ReLU-flip evidence and the verdict. */
export function formatParityReport(report: ParityReport): string[] {
  const lines: string[] = [];
  for (const f of report.flips) {
    lines.push(
      `${f.variant}: full-network gradients differ; dL/dgrid per person-sample (maxrel): ${f.personSamplesBefore.map((v) => v.toExponential(2)).join(', ')}`,
    );
    lines.push(`  the port's ReLU inputs nearest zero there:`);
    for (const u of f.candidates) lines.push(`    ${formatUnit(u)}`);
    if (f.explained) {
      lines.push(`  with the gate of ${f.units.length === 1 ? 'this unit' : 'these units'} inverted (${f.trials} gradient passes tried):`);
      for (const u of f.units) lines.push(`    ${formatUnit(u)}`);
      lines.push(
        `  every gradient of ${f.variant} matches: worst check ${f.worstBefore.toFixed(1)} -> ${f.worstAfter.toFixed(2)} x tolerance; ` +
          `person-samples ${f.personSamplesAfter.map((v) => v.toExponential(2)).join(', ')}`,
      );
    } else {
      lines.push(`  no flip of near-zero units reproduces the reference (${f.trials} gradient passes tried; best ${f.worstAfter.toFixed(2)} x tolerance)`);
    }
  }
  const failed = report.checks.filter((c) => !c.pass).length;
  lines.push(`${report.checks.length - failed} of ${report.checks.length} checks within tolerance`);
  if (report.verdict.equal) {
    lines.push(
      report.verdict.reasons.length > 0 ? 'PASS: semantically equal to the official code; accepted:' : 'PASS: semantically equal to the official code',
    );
    for (const r of report.verdict.reasons) lines.push(`  ${r}`);
  } else {
    lines.push('FAIL: the port differs from the official code:');
    for (const r of report.verdict.reasons) lines.push(`  ${r}`);
  }
  return lines;
}

/** The `parity` subcommand (also installed as the `ske2grid-parity` bin). */
export const parityCommand: CliCommand = {
  name: 'parity',
  summary: 'Build the model a parity fixture describes, load its official weights, compare with the official outputs and decide semantic equality.',
  usage: '<fixture-dir> [options]',
  positionals: { min: 1, max: 1 },
  options: {
    backend: { type: 'string', value: 'NAME', help: 'tfjs backend: cpu, wasm, webgl, webgpu or tensorflow (default cpu)' },
    'forward-tol': { type: 'string', value: 'X', help: 'relative tolerance of forward values (default 1e-5)' },
    'gradient-tol': { type: 'string', value: 'X', help: 'relative tolerance of full-network gradients (default 5e-5)' },
    'max-flips': { type: 'string', value: 'N', help: 'most near-zero ReLU units a BN variant may flip (default 4; 0 accepts none)' },
    json: { type: 'string', value: 'FILE', help: 'also write the checks, flip evidence and verdict to FILE as JSON' },
  },
  details:
    'Exit code 0 when the port is semantically equal to the reference (every check passes, or full-network gradients differ only ' +
    'through ReLU inputs within rounding distance of zero, shown by flipping them), 1 when it is not, 2 on bad usage.',
  async run(args, io) {
    const forward = numberOption(args, 'forward-tol', 1e-5) as number;
    const gradient = numberOption(args, 'gradient-tol', 5e-5) as number;
    const maxFlips = numberOption(args, 'max-flips', 4) as number;
    if (!(forward > 0)) throw new CliUsageError(`--forward-tol: expected a positive number, got ${forward}`);
    if (!(gradient > 0)) throw new CliUsageError(`--gradient-tol: expected a positive number, got ${gradient}`);
    if (!Number.isInteger(maxFlips) || maxFlips < 0) throw new CliUsageError(`--max-flips: expected a non-negative integer, got ${maxFlips}`);
    const backend = stringOption(args, 'backend', 'cpu') as string;
    await selectBackend(backend);
    const dir = args.positionals[0];
    const fixture = readParityFixture(dir);
    const m = fixture.manifest.model;
    io.out(
      `fixture ${m.name}: layout ${m.layout}, grid ${m.grid_shape.join('x')}, stages [${m.progressive_joint_seq.join(', ')}], ` +
        `T=${fixture.manifest.input.T}, persons ${m.num_person}, classes ${m.num_classes}; backend ${backend}`,
    );
    const report = await runParity(fixture, { forward, gradient, maxFlips });
    for (const c of report.checks) io.out(formatCheck(c));
    for (const line of formatParityReport(report)) io.out(line);
    const json = stringOption(args, 'json');
    if (json) {
      mkdirSync(dirname(json), { recursive: true });
      writeFileSync(json, JSON.stringify({ fixture: m.name, backend, ...report }, null, 2) + '\n');
    }
    return report.verdict.equal ? 0 : 1;
  },
};
