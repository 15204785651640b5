/** Dispatch of `ske2grid <command> [options]`: help, usage errors (exit 2), failures (exit 1, message only). */
import { CliUsageError, commandHelp, nearest, parseCommandLine, type CliIO } from './command.js';
import { COMMANDS } from './commands/index.js';
import { failureLines } from './failureLines.js';

/** Standard output and error of the process. */
export const processIO: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: process.stdout.isTTY === true,
};

/** The `ske2grid --help` text: usage and the command list. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: ske2grid <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'ske2grid <command> --help' for a command's options.",
  ].join('\n');
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    // Without a command the help is a usage error: it goes to stderr with exit code 2.
    if (name === undefined) {
      io.err(mainHelp());
      return 2;
    }
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? commandHelp(topic) : mainHelp());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const guess = nearest(
      name,
      COMMANDS.map((c) => c.name),
    );
    io.err(`ske2grid: unknown command ${JSON.stringify(name)}${guess ? ` (did you mean ${guess}?)` : ''}; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    return 2;
  }
  try {
    const args = parseCommandLine(command, rest);
    if (args.help) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (e) {
    const usage = e instanceof CliUsageError;
    failureLines(e, { hint: !usage }).forEach((line) => io.err(line));
    return usage ? 2 : 1;
  }
}
