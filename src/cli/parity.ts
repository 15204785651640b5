#!/usr/bin/env node
/**
 * `ske2grid-parity <fixture-dir> [--backend cpu|wasm|...] [--forward-tol 1e-4] [--gradient-tol 1e-3]`
 *
 * Builds the model a parity fixture describes, loads its official weights and prints one line per
 * check (permutations, activations, logits, gradients). Exits 1 on any mismatch, 2 on bad usage.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { runParityChecks, type ParityCheck } from '../interop/parityChecks.js';
import { readParityFixture } from '../node/readParityFixture.js';

const USAGE = 'usage: ske2grid-parity <fixture-dir> [--backend cpu|wasm|webgl|tensorflow] [--forward-tol 1e-4] [--gradient-tol 1e-3]';

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const option = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const value = args[i + 1];
    args.splice(i, 2);
    if (value === undefined) throw new Error(`${flag}: expected a value`);
    return value;
  };
  const backend = option('--backend') ?? 'cpu';
  const forward = Number(option('--forward-tol') ?? 1e-4);
  const gradient = Number(option('--gradient-tol') ?? 1e-3);
  if (args.length !== 1 || args[0].startsWith('--') || !(forward > 0) || !(gradient > 0)) {
    console.error(USAGE);
    return 2;
  }
  try {
    await import(backend === 'tensorflow' ? '@tensorflow/tfjs-node' : `@tensorflow/tfjs-backend-${backend}`);
  } catch {
    console.error(`--backend ${backend}: expected the package for that backend to be installed, got none`);
    return 2;
  }
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) {
    console.error(`--backend ${backend}: expected it to initialise, got ${tf.getBackend()}`);
    return 2;
  }
  const fixture = readParityFixture(args[0]);
  const m = fixture.manifest.model;
  console.log(
    `fixture ${m.name}: layout ${m.layout}, grid ${m.grid_shape.join('x')}, stages [${m.progressive_joint_seq.join(', ')}], ` +
      `T=${fixture.manifest.input.T}, persons ${m.num_person}, classes ${m.num_classes}; backend ${backend}`,
  );
  const checks = await runParityChecks(fixture, { forward, gradient });
  for (const c of checks) console.log(formatCheck(c));
  const failed = checks.filter((c) => !c.pass);
  console.log(`${checks.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length > 0 && failed.every((c) => /grad/.test(c.name))) {
    const persons = failed.filter((c) => c.name.includes('grad.grid person-sample'));
    if (persons.length > 0 && persons.length <= 2) {
      console.log(
        'note: the gradient mismatch is confined to ' +
          persons.map((c) => c.name).join(', ') +
          ': a ReLU input within rounding distance of zero has flipped (fp32 summation order), not a semantic difference.',
      );
    }
  }
  return failed.length === 0 ? 0 : 1;
}

function formatCheck(c: ParityCheck): string {
  const value = c.metric === 'mismatches' ? String(c.value) : c.value.toExponential(2);
  return `${c.pass ? 'ok  ' : 'FAIL'} ${c.name.padEnd(62)} ${c.metric} ${value} (tolerance ${c.tolerance})`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(e.message);
    process.exit(1);
  },
);
