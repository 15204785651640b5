/**
 * Error thrown for invalid arguments, configs, inputs or weights; the message names the argument, what was expected and what came.
 *
 * @example
 * ```ts
 * import { Ske2GridError, defineLayout } from 'ske2grid';
 * try {
 *   defineLayout({ name: 'pair', joints: ['hand', 'hand'], edges: [] });
 * } catch (e) {
 *   if (e instanceof Ske2GridError) console.error(e.message); // layout.joints: joint name "hand" appears twice
 * }
 * ```
 */
export class Ske2GridError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Ske2GridError';
  }
}

/** Formats a value for an error message (arrays as `[a, b]`, strings quoted). */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Throws a {@link Ske2GridError} of the form "`arg`: expected X, got Y". */
export function fail(arg: string, expected: string, got: unknown): never {
  throw new Ske2GridError(`${arg}: expected ${expected}, got ${describe(got)}`);
}

/** Checks that `value` is an integer >= `min`; returns it. */
export function requireInt(arg: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(arg, `an integer >= ${min}`, value);
  }
  return value;
}

/** Throws a {@link Ske2GridError} of the form "`arg`: `detail`", for a message that is not an "expected X, got Y" (e.g. a repeated name). */
export function failWith(arg: string, detail: string): never {
  throw new Ske2GridError(`${arg}: ${detail}`);
}

/** Throws a {@link Ske2GridError} of the form "`arg`: expected X, got Y" where Y is already-written text (a count, a shape relation), printed as is. */
export function failAs(arg: string, expected: string, got: string): never {
  throw new Ske2GridError(`${arg}: expected ${expected}, got ${got}`);
}
