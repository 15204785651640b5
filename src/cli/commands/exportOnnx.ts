/** `ske2grid export-onnx <model-dir> --out model.onnx`: a saved Ske2Grid model as an ONNX file for ONNX Runtime. */
import { readFile, writeFile } from 'node:fs/promises';
import { exportOnnx } from '../../deploy/exportOnnx.js';
import { getModelConfig } from '../../model/buildSke2Grid.js';
import { loadModel } from '../../node/fileIO.js';
import { selectBackend } from '../backend.js';
import { CliUsageError, integerOption, requiredOption, stringOption, type CliCommand } from '../command.js';

/** Class names from a file: a JSON array of strings, or one name per line (blank lines ignored). */
async function readClassNames(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliUsageError(`--classes: expected a readable file, got ${JSON.stringify(path)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (text.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliUsageError(`--classes: expected a JSON array of strings or one name per line, got invalid JSON in ${path}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((n) => typeof n === 'string')) {
      throw new CliUsageError(`--classes: expected a JSON array of strings, got ${JSON.stringify(parsed).slice(0, 80)} in ${path}`);
    }
    return parsed;
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** The `export-onnx` subcommand. */
export const exportOnnxCommand: CliCommand = {
  name: 'export-onnx',
  summary: 'Write a saved Ske2Grid model (model.json + weights.bin) as an ONNX model (opset 17, batch norms and UPT/GIT folded).',
  usage: '<model-dir> --out FILE [options]',
  positionals: { min: 1, max: 1 },
  options: {
    out: { type: 'string', short: 'o', value: 'FILE', help: 'the ONNX file to write', required: true },
    classes: { type: 'string', value: 'FILE', help: 'class names: a JSON array or one per line (default class_0, class_1, ...)' },
    frames: { type: 'string', value: 'T', help: 'fix the clip length of the input (default any length)' },
    backend: { type: 'string', value: 'NAME', help: 'tfjs backend used to fold the weights: cpu or wasm (default cpu)' },
  },
  details:
    'The graph takes skeletons [batch, persons, frames, joints, channels] and gives logits [batch, classes];\n' +
    'the class names and the model config are in its metadata (class_names, ske2grid_config).\n' +
    'Example: ske2grid export-onnx checkpoints/run1 --out run1.onnx --classes classes.txt',
  async run(args, io) {
    const out = requiredOption(args, 'out');
    const frames = integerOption(args, 'frames', 1);
    const classesFile = stringOption(args, 'classes');
    const classNames = classesFile ? await readClassNames(classesFile) : undefined;
    await selectBackend(stringOption(args, 'backend', 'cpu') as string);
    const model = await loadModel(args.positionals[0]);
    try {
      const config = getModelConfig(model);
      if (classNames && classNames.length !== config.numClasses) {
        throw new CliUsageError(`--classes: expected ${config.numClasses} class names (the model's classes), got ${classNames.length} in ${classesFile}`);
      }
      const bytes = await exportOnnx(model, { classNames, frames: frames ?? null });
      await writeFile(out, bytes);
      io.out(
        `wrote ${out} (${(bytes.length / 1024).toFixed(1)} KiB): skeletons [batch, ${config.persons}, ${frames ?? 'frames'}, ${config.layout.joints.length}, ` +
          `${config.inChannels}] -> logits [batch, ${config.numClasses}], grid ${config.gridShape.join('x')}`,
      );
      return 0;
    } finally {
      model.dispose();
    }
  },
};
