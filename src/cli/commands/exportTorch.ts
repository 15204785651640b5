/** `ske2grid export-torch <model-dir> --out <file.pth>`: a ske2grid model as a PyTorch checkpoint of the official model. */
import { writeFile } from 'node:fs/promises';
import { officialTorchStateDict } from '../../interop/officialTorchStateDict.js';
import { getModelConfig } from '../../model/buildSke2Grid.js';
import { loadModel } from '../../node/fileIO.js';
import { writeTorchCheckpoint } from '../../torch/writeTorchCheckpoint.js';
import { selectBackend } from '../backend.js';
import { CliUsageError, requiredOption, stringOption, type CliCommand } from '../command.js';

/** The `export-torch` subcommand. */
export const exportTorchCommand: CliCommand = {
  name: 'export-torch',
  summary: 'Write a ske2grid model directory as a PyTorch checkpoint (.pth) that loads strictly into the official model.',
  usage: '<model-dir> --out <file.pth> [options]',
  positionals: { min: 1, max: 1 },
  options: {
    out: { type: 'string', short: 'o', value: 'FILE', help: 'the .pth file to write', required: true },
    layout: {
      type: 'string',
      value: 'mmcv|bare',
      help: 'mmcv: {meta, state_dict} as the official runner saves (default); bare: the state dict alone (torch.load(..., weights_only=True))',
    },
    backend: { type: 'string', value: 'NAME', help: 'tfjs backend: cpu, wasm, webgl, webgpu or tensorflow (default cpu)' },
  },
  details:
    'Every official tensor is written (backbone.A and the BatchNorm counters included), float32, with index_sel and the counters int64,\n' +
    'in the zip format of torch.save. Example:\n  ske2grid export-torch models/finetuned --out finetuned.pth\n' +
    "  python: model.load_state_dict(torch.load('finetuned.pth')['state_dict'], strict=True)",
  async run(args, io) {
    const out = requiredOption(args, 'out');
    const layout = stringOption(args, 'layout', 'mmcv');
    if (layout !== 'mmcv' && layout !== 'bare') throw new CliUsageError(`--layout: expected mmcv or bare, got ${JSON.stringify(layout)}`);
    await selectBackend(stringOption(args, 'backend', 'cpu') as string);
    const dir = args.positionals[0];
    const model = await loadModel(dir);
    try {
      const config = getModelConfig(model);
      const stateDict = officialTorchStateDict(model);
      const gridText = `${config.gridShape.join('x')}`;
      const meta = {
        config: `model = dict(type='RecognizerGCN', backbone=dict(grid_shape=(${config.gridShape.join(', ')}), progressive_joint_seq=[${config.stages.join(', ')}], in_channels=${config.inChannels}, graph_cfg=dict(layout='${config.layout.name}')), cls_head=dict(num_classes=${config.numClasses}, num_person=${config.persons}))`,
      };
      const bytes = writeTorchCheckpoint(stateDict, { layout, meta });
      await writeFile(out, bytes);
      io.out(`${dir}: grid ${gridText}, stages [${config.stages.join(', ')}], ${config.numClasses} classes`);
      io.out(`wrote ${out} (${layout} layout, ${Object.keys(stateDict).length} tensors, ${bytes.length} bytes)`);
      return 0;
    } finally {
      model.dispose();
    }
  },
};
