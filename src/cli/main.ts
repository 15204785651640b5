#!/usr/bin/env node
/**
 * `ske2grid <command> [options]`: the command line of the package. Each subcommand lives in
 * `src/cli/commands/`; this file dispatches, prints help, and turns errors into one message line
 * (the stack only with `SKE2GRID_DEBUG=1`) and an exit code, without tfjs's console notices.
 */
import { quietTfjsNotices } from './quietTfjsNotices.js';
import { runCli } from './runCli.js';

quietTfjsNotices();
runCli(process.argv.slice(2)).then((code) => process.exit(code));
