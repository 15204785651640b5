import { describe, expect, it } from 'vitest';
import { failureLines } from '../../src/cli/failureLines.js';
import { Ske2GridError } from '../../src/errors.js';

describe('failureLines', () => {
  it('a Ske2GridError: its message, then how to get the stack', () => {
    expect(failureLines(new Ske2GridError('config.seed: expected a non-negative integer or null, got -1'), { debug: false })).toEqual([
      'config.seed: expected a non-negative integer or null, got -1',
      '(set SKE2GRID_DEBUG=1 to print the stack)',
    ]);
  });

  it('another error: name and message, with the prefix; no hint when asked', () => {
    expect(failureLines(new TypeError('x is undefined'), { debug: false, hint: false, prefix: 'demo' })).toEqual(['demo: TypeError: x is undefined']);
    expect(failureLines('plain text', { debug: false, hint: false })).toEqual(['Error: plain text']);
  });

  it('the stack only on request', () => {
    const error = new RangeError('too far');
    const lines = failureLines(error, { debug: true });
    expect(lines).toEqual(['RangeError: too far', error.stack]);
  });
});
