import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/runCli.js';
import { officialTorchStateDict } from '../../src/interop/officialTorchStateDict.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { readTorchCheckpoint, type TorchValue } from '../../src/torch/readTorchCheckpoint.js';
import type { TorchTensor } from '../../src/torch/torchTensor.js';
import { writeTorchCheckpoint } from '../../src/torch/writeTorchCheckpoint.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';
import { hasTorchFixtures, TORCH_FIXTURES } from '../torch/torchFixtures.js';

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), isTTY: false };
}

beforeAll(() => useBackend('cpu'));

const tmp = mkdtempSync(join(tmpdir(), 'ske2grid-cli-torch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ske2grid import-torch / export-torch', () => {
  it('imports a .pth with no other input and exports it back with the same tensors', async () => {
    const source = buildSke2Grid({ ...TINY, numClasses: 4 });
    const original = officialTorchStateDict(source);
    source.dispose();
    const pth = join(tmp, 'tiny.pth');
    writeFileSync(pth, writeTorchCheckpoint(original, { meta: { config: "graph_cfg=dict(layout='coco'), num_person=1" } }));

    const imported = capture();
    expect(await runCli(['import-torch', pth, '--out', join(tmp, 'model')], imported)).toBe(0);
    expect(imported.stderr).toEqual([]);
    expect(imported.stdout[0]).toBe(`${pth}: layout coco, grid 5x5, stages [17], 3 channels, 1 persons, 4 classes, frames any`);
    expect(imported.stdout.slice(1, 3)).toEqual([
      '62 tensors loaded, 13 ignored (index_sel, backbone.A, 11 x num_batches_tracked)',
      'GIT permutations: recomputed from the scores, equal to the checkpoint index_sel',
    ]);
    expect(existsSync(join(tmp, 'model', 'model.json'))).toBe(true);

    const exported = capture();
    const back = join(tmp, 'back.pth');
    expect(await runCli(['export-torch', join(tmp, 'model'), '--out', back, '--layout', 'bare'], exported)).toBe(0);
    expect(exported.stdout[1]).toMatch(
      new RegExp(`^wrote ${back.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(bare layout, ${Object.keys(original).length} tensors, \\d+ bytes\\)$`),
    );
    const sd = readTorchCheckpoint(new Uint8Array(readFileSync(back))) as Map<TorchValue, TorchValue>;
    expect([...sd.keys()].sort()).toEqual(Object.keys(original).sort());
    for (const [key, t] of Object.entries(original)) {
      const got = sd.get(key) as TorchTensor;
      expect([key, got.dtype, got.shape, Array.from(got.data as ArrayLike<number>)]).toEqual([key, t.dtype, t.shape, Array.from(t.data as ArrayLike<number>)]);
    }
  });

  it('imports a checkpoint whose index_sel is stale (saved after the last optimizer step), saying so', async () => {
    const source = buildSke2Grid({ ...TINY, numClasses: 4 });
    const sd = officialTorchStateDict(source);
    source.dispose();
    const sel = Array.from(sd['backbone.SGT_stages.0.index_sel'].data as ArrayLike<number>);
    [sel[0], sel[1]] = [sel[1], sel[0]];
    sd['backbone.SGT_stages.0.index_sel'] = { ...sd['backbone.SGT_stages.0.index_sel'], data: sel };
    const pth = join(tmp, 'stale.pth');
    writeFileSync(pth, writeTorchCheckpoint(sd, { layout: 'bare' }));
    const io = capture();
    expect(await runCli(['import-torch', pth, '--out', join(tmp, 'stale'), '--frames', '8'], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/persons, 4 classes, frames 8$/);
    expect(io.stdout[2]).toBe(
      'GIT permutations: recomputed from the scores; the checkpoint index_sel of stage 0 differs (written before the last optimizer step, the official model recomputes it the same way)',
    );
  });

  it('refuses a missing --out (exit 2) and an incomplete state dict (exit 1, the missing tensor named)', async () => {
    const io = capture();
    expect(await runCli(['export-torch', tmp], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/^ske2grid export-torch: expected --out FILE \(the \.pth file to write\), got none/);
    if (!hasTorchFixtures) return;
    const partial = capture();
    expect(await runCli(['import-torch', `${TORCH_FIXTURES}d5_t12_ddp_subset.pth`, '--out', join(tmp, 'partial')], partial)).toBe(1);
    expect(partial.stderr[0]).toBe(
      "stateDict['backbone.sampling_stages.0']: expected a tensor of an official Ske2Grid model, got nothing (is this a Ske2Grid checkpoint?)",
    );
    expect(existsSync(join(tmp, 'partial'))).toBe(false);
  });
});
