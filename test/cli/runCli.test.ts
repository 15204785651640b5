import { describe, expect, it } from 'vitest';
import { CliUsageError, commandHelp, integerOption, nearest, numberOption, parseCommandLine, type CliCommand, type CliIO } from '../../src/cli/command.js';
import { mainHelp, runCli } from '../../src/cli/runCli.js';

/** Collects what a command prints. */
function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), isTTY: false };
}

const demo: CliCommand = {
  name: 'demo',
  summary: 'A command for tests.',
  usage: '<input> [options]',
  positionals: { min: 1, max: 1 },
  options: {
    epochs: { type: 'string', value: 'N', help: 'epochs (default 3)' },
    verbose: { type: 'boolean', short: 'v', help: 'say more' },
  },
  run: async () => 0,
};

describe('command-line parsing', () => {
  it('reads options and positionals', () => {
    const a = parseCommandLine(demo, ['in.json', '--epochs', '7', '-v']);
    expect(a.positionals).toEqual(['in.json']);
    expect(a.options).toEqual({ epochs: '7', verbose: true });
    expect(numberOption(a, 'epochs')).toBe(7);
    expect(a.help).toBe(false);
  });

  it('refuses an unknown option with the valid ones and the nearest spelling', () => {
    expect(() => parseCommandLine(demo, ['in.json', '--epoch', '7'])).toThrow(
      new CliUsageError('ske2grid demo: unknown option --epoch (did you mean --epochs?); valid options: --help, --epochs, --verbose'),
    );
    expect(() => parseCommandLine(demo, ['in.json', '--zzzzzz'])).toThrow(/unknown option --zzzzzz; valid options: --help, --epochs, --verbose$/);
  });

  it('refuses a wrong number of positionals and a non-numeric number', () => {
    expect(() => parseCommandLine(demo, [])).toThrow('ske2grid demo: expected 1 positional argument(s), got 0 (usage: ske2grid demo <input> [options])');
    expect(() => parseCommandLine(demo, ['a', 'b'])).toThrow(
      'ske2grid demo: expected 1 positional argument(s), got 2: a b (usage: ske2grid demo <input> [options])',
    );
    expect(() => numberOption(parseCommandLine(demo, ['a', '--epochs', 'ten']), 'epochs')).toThrow('--epochs: expected a number, got "ten"');
  });

  it('refuses a command line without a required option, naming each missing one; --help needs none', () => {
    const needs: CliCommand = {
      ...demo,
      options: {
        ...demo.options,
        out: { type: 'string', value: 'DIR', help: 'where to write', required: true },
        model: { type: 'string', value: 'DIR', help: 'the model', required: true },
      },
    };
    expect(() => parseCommandLine(needs, ['a'])).toThrow(
      'ske2grid demo: expected --out DIR (where to write) and --model DIR (the model), got none (usage: ske2grid demo <input> [options])',
    );
    expect(() => parseCommandLine(needs, ['a', '--model', 'm'])).toThrow(/^ske2grid demo: expected --out DIR \(where to write\), got none/);
    expect(parseCommandLine(needs, ['a', '--model', 'm', '--out', 'o']).options).toMatchObject({ model: 'm', out: 'o' });
    expect(parseCommandLine(needs, ['--help']).help).toBe(true);
    expect(commandHelp(needs)).toMatch(/--out DIR +where to write \(required\)/);
  });

  it('reads integer options with their lower bound', () => {
    const args = parseCommandLine(demo, ['a', '--epochs', '0']);
    expect(() => integerOption(args, 'epochs', 1)).toThrow('--epochs: expected a positive integer, got 0');
    expect(integerOption(args, 'epochs', 0)).toBe(0);
    expect(() => integerOption(parseCommandLine(demo, ['a', '--epochs', '2.5']), 'epochs', 0)).toThrow('--epochs: expected a non-negative integer, got 2.5');
    expect(integerOption(parseCommandLine(demo, ['a']), 'epochs', 1, 3)).toBe(3);
  });

  it('accepts --help without positionals and lists every option in the help', () => {
    expect(parseCommandLine(demo, ['--help']).help).toBe(true);
    const help = commandHelp(demo);
    expect(help.split('\n')[0]).toBe('usage: ske2grid demo <input> [options]');
    for (const flag of ['--epochs N', '-v, --verbose', '-h, --help']) expect(help).toContain(flag);
  });

  it('finds misspellings but not unrelated words', () => {
    expect(nearest('--backnd', ['--backend', '--out'])).toBe('--backend');
    expect(nearest('--colour', ['--backend', '--out'])).toBeUndefined();
  });
});

describe('ske2grid dispatch', () => {
  it('prints the command list for --help (exit 0) and without a command (exit 2)', async () => {
    const io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toBe(mainHelp());
    expect(mainHelp()).toContain('parity');
    const bare = capture();
    expect(await runCli([], bare)).toBe(2);
    expect(bare.stderr.join('\n')).toBe(mainHelp());
  });

  it('refuses an unknown command with the nearest one (exit 2)', async () => {
    const io = capture();
    expect(await runCli(['parit'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/^ske2grid: unknown command "parit" \(did you mean parity\?\); commands: (\w+, )*parity\b/);
  });

  it('prints a usage error as one line, without a stack (exit 2)', async () => {
    const io = capture();
    expect(await runCli(['parity', 'fixture', '--backnd', 'cpu'], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/unknown option --backnd \(did you mean --backend\?\)/);
  });

  it('prints a failure as its message and a hint, not a stack (exit 1)', async () => {
    const io = capture();
    expect(await runCli(['parity', 'no/such/fixture-dir'], io)).toBe(1);
    expect(io.stderr[0]).toContain('no/such/fixture-dir');
    expect(io.stderr.join('\n')).not.toMatch(/\n\s+at /);
  });
});
