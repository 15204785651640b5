/**
 * The parity checks and verdict on configurations the shared fixtures do not cover: NTU layout,
 * 8x8 grid with four PLS stages, a square stage (25 -> 25), one person, odd frame counts. The
 * fixtures are written in the official format from the port's own model (see `selfFixture`), then
 * read back from disk, so reading, building, every check and the verdict run on those shapes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runParity, runParityWith } from '../../src/interop/parityChecks.js';
import type { ParityFixture } from '../../src/interop/parityFixture.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { readParityFixture } from '../../src/node/readParityFixture.js';
import { useBackend } from '../helpers/backends.js';
import { selfFixture, type SelfFixtureSpec } from '../helpers/selfFixture.js';

const SPECS: SelfFixtureSpec[] = [
  { layout: 'nturgb+d', grid: [8, 8], stages: [25, 36, 49, 64], batch: 1, persons: 1, frames: 7, classes: 4, seed: 11 },
  { layout: 'coco', grid: [5, 5], stages: [17, 25], batch: 2, persons: 2, frames: 9, classes: 3, seed: 12 },
];

let dir = '';

/** Writes a fixture as the official exporter does (manifest.json + gzip of one float32 blob) and reads it back. */
function roundTrip(fixture: ParityFixture): ParityFixture {
  const sub = join(dir, fixture.manifest.model.name);
  const blob = new Uint8Array(fixture.manifest.tensors.reduce((a, e) => Math.max(a, e.offset + e.nbytes), 0));
  for (const e of fixture.manifest.tensors) blob.set(new Uint8Array(fixture.values(e.name).data.buffer, e.offset, e.nbytes), e.offset);
  mkdirSync(sub, { recursive: true });
  const manifest = { ...fixture.manifest, bin: { file: 'tensors.bin.gz', compression: 'gzip' } };
  writeFileSync(join(sub, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(sub, 'tensors.bin.gz'), gzipSync(blob));
  return readParityFixture(sub);
}

beforeAll(async () => {
  await useBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'ske2grid-parity-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

for (const spec of SPECS) {
  describe(`parity on ${spec.layout} ${spec.grid.join('x')} stages [${spec.stages}] M=${spec.persons} T=${spec.frames}`, () => {
    let fixture: ParityFixture;
    beforeAll(async () => {
      fixture = roundTrip(await selfFixture(spec));
    }, 1_800_000);

    it('builds the model the manifest describes and passes every check', async () => {
      const before = tf.memory().numTensors;
      const report = await runParity(fixture);
      expect(tf.memory().numTensors).toBe(before);
      const failing = report.checks.filter((c) => !c.pass).map((c) => `${c.name} ${c.value}`);
      expect(failing).toEqual([]);
      expect(report.verdict.equal).toBe(true);
      expect(report.checks.filter((c) => c.kind === 'permutation').length).toBe(spec.stages.length);
      expect(report.checks.filter((c) => c.name.startsWith('upt_eff')).length).toBe(spec.stages.length);
      const personSamples = report.checks.filter((c) => c.name.startsWith('bn_frozen grad.grid person-sample'));
      expect(personSamples.length).toBe(spec.batch * spec.persons);
      expect(report.checks.filter((c) => c.kind === 'statistics').length).toBe(3);
    }, 1_800_000);

    it('fails with BatchNorm epsilon 1e-3', async () => {
      const report = await runParityWith(fixture, { failFast: true }, { build: (config) => buildSke2Grid({ ...config, batchNormEpsilon: 1e-3 }) });
      expect(report.verdict.equal).toBe(false);
      expect(report.verdict.reasons.join('\n')).toMatch(/forward check failed/);
    }, 1_800_000);
  });
}
