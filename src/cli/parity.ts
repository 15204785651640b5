#!/usr/bin/env node
/** `ske2grid-parity <fixture-dir> [options]`: the former name of `ske2grid parity`, kept as an alias. */
import { quietTfjsNotices } from './quietTfjsNotices.js';
import { runCli } from './runCli.js';

quietTfjsNotices();
runCli(['parity', ...process.argv.slice(2)]).then((code) => process.exit(code));
