import { Ske2GridError } from '../errors.js';

/** Options of {@link failureLines}. */
export interface FailureLinesOptions {
  /** Add the stack; default: when the environment variable `SKE2GRID_DEBUG` is `1`. */
  debug?: boolean;
  /** Without the stack, add a line saying how to get it; default true. */
  hint?: boolean;
  /** Prefix of the message line, e.g. the program's name; default none. */
  prefix?: string;
}

/**
 * How a command line program reports a failure: one message line (a {@link Ske2GridError}'s own
 * message, otherwise `Name: message`), then the stack only on request (`SKE2GRID_DEBUG=1`), never
 * the source line Node would print, which for a minified dependency is tens of kilobytes.
 * `failureLines(new TypeError('x is undefined'), { debug: false, prefix: 'demo' })` gives
 * `['demo: TypeError: x is undefined', '(set SKE2GRID_DEBUG=1 to print the stack)']`.
 */
export function failureLines(error: unknown, options: FailureLinesOptions = {}): string[] {
  const debug = options.debug ?? process.env.SKE2GRID_DEBUG === '1';
  const e = error instanceof Error ? error : new Error(String(error));
  const message = e instanceof Ske2GridError ? e.message : `${e.name}: ${e.message}`;
  const lines = [options.prefix ? `${options.prefix}: ${message}` : message];
  if (debug && e.stack) lines.push(e.stack);
  else if (options.hint ?? true) lines.push('(set SKE2GRID_DEBUG=1 to print the stack)');
  return lines;
}
