/** Every `ske2grid` subcommand, in the order `ske2grid --help` lists them. */
import type { CliCommand } from '../command.js';
import { evaluateCommand } from './evaluate.js';
import { exportOnnxCommand } from './exportOnnx.js';
import { exportTorchCommand } from './exportTorch.js';
import { importTorchCommand } from './importTorch.js';
import { parityCommand } from './parity.js';
import { predictCommand } from './predict.js';
import { trainCommand } from './train.js';

/** The registered subcommands. */
export const COMMANDS: readonly CliCommand[] = [
  trainCommand,
  evaluateCommand,
  predictCommand,
  parityCommand,
  importTorchCommand,
  exportTorchCommand,
  exportOnnxCommand,
];
