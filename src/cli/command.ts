/**
 * The shape of a `ske2grid` subcommand and the option parsing every subcommand shares: Node's own
 * `util.parseArgs` in strict mode (unknown options refused), with the valid options and the nearest
 * spelling named in the error.
 */
import { parseArgs } from 'node:util';
import { Ske2GridError } from '../errors.js';

/** One option of a subcommand: `--name <value>` (`string`) or a `--name` switch (`boolean`). */
export interface CliOption {
  /** `'string'` for `--name value`, `'boolean'` for a switch. */
  type: 'string' | 'boolean';
  /** One-line description shown by `--help`, with the default. */
  help: string;
  /** Shown in `--help` as the value's placeholder, e.g. `DIR`; default `VALUE`. */
  value?: string;
  /** One-letter alias, e.g. `o` for `-o`. */
  short?: string;
  /** The option may be given more than once (values collected in order); default false. */
  multiple?: boolean;
  /** The command cannot run without it: {@link parseCommandLine} refuses a command line that lacks it; default false. */
  required?: boolean;
}

/** Parsed command line of a subcommand: option values by name and the positional arguments. */
export interface CliArgs {
  /** Option values by long name (`string`, `boolean` or arrays of them for `multiple` options). */
  options: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Positional arguments in order. */
  positionals: string[];
}

/** A `ske2grid` subcommand: its name, help and options, and the function that runs it. */
export interface CliCommand {
  /** Name typed after `ske2grid`, e.g. `'train'`. */
  name: string;
  /** One line for the command list of `ske2grid --help`. */
  summary: string;
  /** Usage line(s) after `ske2grid <name>`, e.g. `'<fixture-dir> [options]'`. */
  usage: string;
  /** Extra paragraphs of `--help` (examples, what is written where); optional. */
  details?: string;
  /** Options by long name (without `--`); `--help` is added to every command. */
  options: Record<string, CliOption>;
  /** Positional arguments: how many at least and at most; default 0 and 0. */
  positionals?: { min: number; max: number };
  /** Runs the command; resolves to the process exit code (0 success, 1 failure, 2 usage). */
  run(args: CliArgs, io: CliIO): Promise<number>;
}

/** Where a command writes: standard output and error, and whether stdout is a terminal. */
export interface CliIO {
  /** Writes a line to standard output. */
  out(line: string): void;
  /** Writes a line to standard error. */
  err(line: string): void;
  /** Whether standard output is a terminal (progress bar) or not (one plain line per epoch). */
  isTTY: boolean;
  /** Writes text to standard output without a newline (the progress bar's carriage returns); default: none (no bar). */
  write?(text: string): void;
}

/** A usage error of the command line (exit code 2); the message says what was wrong and what is valid. */
export class CliUsageError extends Ske2GridError {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** Levenshtein distance of two short strings (for "did you mean"). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate nearest to `word` when it is close enough to be a misspelling, else undefined. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Parses `argv` for `command` (strict): unknown options, missing values and wrong positional counts throw a {@link CliUsageError}. */
export function parseCommandLine(command: CliCommand, argv: string[]): CliArgs & { help: boolean } {
  const spec: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(command.options)) {
    spec[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  const valid = Object.keys(spec).map((n) => `--${n}`);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const guess = nearest(unknown.replace(/=.*/, ''), valid);
      throw new CliUsageError(
        `ske2grid ${command.name}: unknown option ${unknown}${guess ? ` (did you mean ${guess}?)` : ''}; valid options: ${valid.join(', ')}`,
      );
    }
    throw new CliUsageError(`ske2grid ${command.name}: ${message.replace(/\s*To specify a positional argument.*$/s, '')}`);
  }
  const help = parsed.values.help === true;
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  const n = parsed.positionals.length;
  if (!help && (n < min || n > max)) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new CliUsageError(
      `ske2grid ${command.name}: expected ${expected} positional argument(s), got ${n}${n ? `: ${parsed.positionals.join(' ')}` : ''} (usage: ske2grid ${command.name} ${command.usage})`,
    );
  }
  const options = { ...parsed.values } as CliArgs['options'];
  delete options.help;
  const missing = Object.entries(command.options).filter(([name, o]) => o.required && options[name] === undefined);
  if (!help && missing.length > 0) {
    const named = missing.map(([name, o]) => `--${name} ${o.value ?? 'VALUE'} (${o.help})`);
    throw new CliUsageError(`ske2grid ${command.name}: expected ${named.join(' and ')}, got none (usage: ske2grid ${command.name} ${command.usage})`);
  }
  return { options, positionals: parsed.positionals, help };
}

/** The `--help` text of a command: usage, summary, options with their help, details. */
export function commandHelp(command: CliCommand): string {
  const rows = Object.entries(command.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.required ? `${o.help} (required)` : o.help] as const;
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  const lines = [`usage: ske2grid ${command.name} ${command.usage}`, '', command.summary, '', 'options:'];
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}${text}`);
  if (command.details) lines.push('', command.details);
  return lines.join('\n');
}

/** Reads an option marked `required` (present once {@link parseCommandLine} accepted the line). */
export function requiredOption(args: CliArgs, name: string): string {
  const v = args.options[name];
  if (typeof v !== 'string') throw new CliUsageError(`--${name}: expected a value, got none`);
  return v;
}

/** Reads a string option, or `fallback` when absent. */
export function stringOption(args: CliArgs, name: string, fallback?: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : fallback;
}

/** Reads an integer option of at least `min` (`--top 5`); throws a {@link CliUsageError} naming the option otherwise. */
export function integerOption(args: CliArgs, name: string, min: number, fallback?: number): number | undefined {
  const n = numberOption(args, name, fallback);
  if (n !== undefined && !(Number.isInteger(n) && n >= min)) {
    throw new CliUsageError(
      `--${name}: expected ${min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`}, got ${n}`,
    );
  }
  return n;
}

/** Reads a numeric option (`--epochs 30`); throws a {@link CliUsageError} naming the option when it is not a finite number. */
export function numberOption(args: CliArgs, name: string, fallback?: number): number | undefined {
  const v = args.options[name];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new CliUsageError(`--${name}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}
