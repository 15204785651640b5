/** Every `ske2grid` subcommand, in the order `ske2grid --help` lists them. */
import type { CliCommand } from '../command.js';
import { exportOnnxCommand } from './exportOnnx.js';
import { parityCommand } from './parity.js';

/** The registered subcommands. */
export const COMMANDS: readonly CliCommand[] = [parityCommand, exportOnnxCommand];
