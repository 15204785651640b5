/** `ske2grid import-torch <file.pth> --out <dir>`: an official / PYSKL PyTorch checkpoint as a ske2grid model directory. */
import type { LayoutName } from '../../layouts/registry.js';
import { stateDictOf, type OfficialCheckpoint } from '../../interop/checkpointStateDict.js';
import { configFromStateDict } from '../../interop/configFromStateDict.js';
import { loadOfficialWeights } from '../../interop/officialWeights.js';
import { buildSke2Grid } from '../../model/buildSke2Grid.js';
import type { Ske2GridConfig } from '../../model/config.js';
import { saveModel } from '../../node/fileIO.js';
import { readTorchFile } from '../../node/torchFile.js';
import { selectBackend } from '../backend.js';
import { numberOption, requiredOption, stringOption, type CliCommand } from '../command.js';

/** The `import-torch` subcommand. */
export const importTorchCommand: CliCommand = {
  name: 'import-torch',
  summary: 'Read an official / PYSKL PyTorch checkpoint (.pth) and save it as a ske2grid model (model.json + weights.bin).',
  usage: '<checkpoint.pth> --out <dir> [options]',
  positionals: { min: 1, max: 1 },
  options: {
    out: { type: 'string', short: 'o', value: 'DIR', help: 'directory to write the model into', required: true },
    layout: { type: 'string', value: 'NAME', help: 'skeleton layout (default: from the checkpoint meta, else by joint count: 17 coco, 25 ntu25, 20 kinect20)' },
    persons: { type: 'string', value: 'N', help: 'persons per sample (default: from the checkpoint meta, else 2)' },
    frames: { type: 'string', value: 'T', help: 'frames per clip (default: any length)' },
    backend: { type: 'string', value: 'NAME', help: 'tfjs backend: cpu, wasm, webgl, webgpu or tensorflow (default cpu)' },
  },
  details:
    'Nothing in the checkpoint is executed (a safe pickle reader with an allow-list). The grid, stages, classes,\n' +
    'channels and the channel plan are read from the tensors; every GIT permutation is recomputed from the scores\n' +
    '(and compared with the checkpoint index_sel). Example:\n  ske2grid import-torch work_dirs/ske2grid/best_top1_acc_epoch_16.pth --out models/official-5x5',
  async run(args, io) {
    const out = requiredOption(args, 'out');
    const overrides: Ske2GridConfig = {};
    const layout = stringOption(args, 'layout');
    if (layout !== undefined) overrides.layout = layout as LayoutName;
    const persons = numberOption(args, 'persons');
    if (persons !== undefined) overrides.persons = persons;
    const frames = numberOption(args, 'frames');
    if (frames !== undefined) overrides.frames = frames;
    await selectBackend(stringOption(args, 'backend', 'cpu') as string);
    const file = args.positionals[0];
    const checkpoint = await readTorchFile(file);
    const config = configFromStateDict(checkpoint, overrides);
    const model = buildSke2Grid(config);
    try {
      // index_sel is written by the forward pass before the last optimizer step, so a checkpoint saved
      // after that step can hold a stale one; the official model recomputes it at every forward, as this one does.
      const report = loadOfficialWeights(model, checkpoint, { checkPermutation: false });
      const stale = staleStages(checkpoint, report.permutations);
      await saveModel(model, out);
      const layoutName = typeof config.layout === 'string' ? config.layout : config.layout?.name;
      io.out(
        `${file}: layout ${layoutName}, grid ${config.gridShape!.join('x')}, stages [${config.stages!.join(', ')}], ` +
          `${config.inChannels} channels, ${config.persons} persons, ${config.numClasses} classes, frames ${config.frames ?? 'any'}`,
      );
      io.out(`${report.loaded.length} tensors loaded, ${report.ignored.length} ignored (${summariseIgnored(report.ignored)})`);
      io.out(
        stale.length === 0
          ? 'GIT permutations: recomputed from the scores, equal to the checkpoint index_sel'
          : `GIT permutations: recomputed from the scores; the checkpoint index_sel of stage ${stale.join(', ')} differs (written before the last optimizer step, the official model recomputes it the same way)`,
      );
      io.out(`saved ${out}/model.json and ${out}/weights.bin`);
      return 0;
    } finally {
      model.dispose();
    }
  },
};

/** Stages whose stored `index_sel` differs from the permutation recomputed from the loaded scores. */
function staleStages(checkpoint: OfficialCheckpoint, permutations: number[][]): number[] {
  const sd = stateDictOf(checkpoint);
  return permutations.flatMap((p, s) => {
    const sel = sd.get(`backbone.SGT_stages.${s}.index_sel`);
    return sel && Array.from(sel.data).some((v, r) => Math.round(v) !== p[r]) ? [s] : [];
  });
}

/** `backbone.A, 33 x num_batches_tracked, index_sel`. */
function summariseIgnored(keys: string[]): string {
  const counts = new Map<string, number>();
  for (const k of keys) {
    const kind = k === 'backbone.A' ? k : k.slice(k.lastIndexOf('.') + 1);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n === 1 ? k : `${n} x ${k}`)).join(', ');
}
