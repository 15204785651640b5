/** `ske2grid import-torch <file.pth> --out <dir>`: an official / PYSKL PyTorch checkpoint as a ske2grid model directory. */
import type { LayoutName } from '../../layouts/registry.js';
import { configFromStateDict } from '../../interop/configFromStateDict.js';
import { loadOfficialWeights } from '../../interop/officialWeights.js';
import { buildSke2Grid } from '../../model/buildSke2Grid.js';
import type { Ske2GridConfig } from '../../model/config.js';
import { saveModel } from '../../node/fileIO.js';
import { readTorchFile } from '../../node/torchFile.js';
import { selectBackend } from '../backend.js';
import { CliUsageError, numberOption, stringOption, type CliCommand } from '../command.js';

/** The `import-torch` subcommand. */
export const importTorchCommand: CliCommand = {
  name: 'import-torch',
  summary: 'Read an official / PYSKL PyTorch checkpoint (.pth) and save it as a ske2grid model (model.json + weights.bin).',
  usage: '<checkpoint.pth> --out <dir> [options]',
  positionals: { min: 1, max: 1 },
  options: {
    out: { type: 'string', short: 'o', value: 'DIR', help: 'directory to write the model into (required)' },
    layout: { type: 'string', value: 'NAME', help: 'skeleton layout (default: from the checkpoint meta, else by joint count: 17 coco, 25 ntu25, 20 kinect20)' },
    persons: { type: 'string', value: 'N', help: 'persons per sample (default: from the checkpoint meta, else 2)' },
    frames: { type: 'string', value: 'T', help: 'frames per clip (default: any length)' },
    backend: { type: 'string', value: 'NAME', help: 'tfjs backend: cpu, wasm, webgl, webgpu or tensorflow (default cpu)' },
  },
  details:
    'Nothing in the checkpoint is executed (a safe pickle reader with an allow-list). The grid, stages, classes,\n' +
    'channels and the channel plan are read from the tensors; every GIT permutation is recomputed and checked\n' +
    'against the checkpoint index_sel. Example:\n  ske2grid import-torch work_dirs/ske2grid/best_top1_acc_epoch_16.pth --out models/official-5x5',
  async run(args, io) {
    const out = stringOption(args, 'out');
    if (!out) throw new CliUsageError('--out: expected the directory to write the model into, got nothing');
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
      const report = loadOfficialWeights(model, checkpoint);
      await saveModel(model, out);
      const layoutName = typeof config.layout === 'string' ? config.layout : config.layout?.name;
      io.out(
        `${file}: layout ${layoutName}, grid ${config.gridShape!.join('x')}, stages [${config.stages!.join(', ')}], ` +
          `${config.inChannels} channels, ${config.persons} persons, ${config.numClasses} classes, frames ${config.frames ?? 'any'}`,
      );
      io.out(`${report.loaded.length} tensors loaded, ${report.ignored.length} ignored (${summariseIgnored(report.ignored)}); permutations checked`);
      io.out(`saved ${out}/model.json and ${out}/weights.bin`);
      return 0;
    } finally {
      model.dispose();
    }
  },
};

/** `backbone.A, 33 x num_batches_tracked, 1 x index_sel`. */
function summariseIgnored(keys: string[]): string {
  const counts = new Map<string, number>();
  for (const k of keys) {
    const kind = k === 'backbone.A' ? k : k.slice(k.lastIndexOf('.') + 1);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n === 1 ? k : `${n} x ${k}`)).join(', ');
}
