/**
 * Shared start of every runnable program of the repository (examples, benchmarks, scripts): no tfjs
 * console notices, and a failure reported as its message (the stack only with `SKE2GRID_DEBUG=1`)
 * with exit code 1, the way the `ske2grid` command reports one.
 */
import { failureLines } from '../src/cli/failureLines.js';
import { quietTfjsNotices } from '../src/cli/quietTfjsNotices.js';

/**
 * Call first in a program's entry file, with the program's name (the prefix of a failure message):
 * silences tfjs's notices and turns an uncaught error or rejection (a failed top-level `await`
 * included) into `name: message` on stderr and exit code 1.
 */
export function setUpScript(name: string): void {
  quietTfjsNotices();
  const report = (error: unknown) => {
    for (const line of failureLines(error, { prefix: name })) process.stderr.write(`${line}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
}
