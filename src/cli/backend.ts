/** Backend selection shared by the `ske2grid` subcommands (`--backend cpu|wasm|webgl|tensorflow`). */
import * as tf from '@tensorflow/tfjs-core';
import { CliUsageError } from './command.js';

/** The backends the command line can select; `tensorflow` needs `@tensorflow/tfjs-node` installed. */
export const CLI_BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu', 'tensorflow'] as const;

/** Imports the backend package and makes it the active tfjs backend; throws a {@link CliUsageError} naming the option when it cannot. */
export async function selectBackend(name: string): Promise<void> {
  if (!(CLI_BACKENDS as readonly string[]).includes(name)) {
    throw new CliUsageError(`--backend: expected one of ${CLI_BACKENDS.join(', ')}, got ${JSON.stringify(name)}`);
  }
  try {
    await import(name === 'tensorflow' ? '@tensorflow/tfjs-node' : `@tensorflow/tfjs-backend-${name}`);
  } catch {
    throw new CliUsageError(`--backend ${name}: expected the package for that backend to be installed, got none`);
  }
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) {
    throw new CliUsageError(`--backend ${name}: expected it to initialise, got ${tf.getBackend()}`);
  }
}
