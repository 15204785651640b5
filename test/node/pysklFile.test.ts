import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { readPysklFile } from '../../src/node/pysklFile.js';

const PYSKL = new URL('../../../shared/fixtures/pyskl/', import.meta.url).pathname;
const hasPyskl = existsSync(`${PYSKL}utk6_2d_p2.pkl`);

describe('readPysklFile', () => {
  it.skipIf(!hasPyskl)('reads a PYSKL pickle file with the reader options [needs ../shared/fixtures/pyskl]', async () => {
    const { split, annotations } = await readPysklFile(`${PYSKL}utk6_2d_p2.pkl`, { split: 'xsub_val', numClasses: 6 });
    expect(Object.keys(split)).toEqual(['xsub_train', 'xsub_val']);
    expect(annotations.map((a) => [a.frameDir, a.label, a.totalFrames])).toEqual([
      ['s01_e01_carry', 4, 56],
      ['s01_e01_throw', 5, 14],
    ]);
  });

  it('names a file it cannot read, and a bad path argument', async () => {
    await expect(readPysklFile(`${PYSKL}no-such-file.pkl`)).rejects.toThrow(
      /^readPysklFile path: expected a readable file, got ENOENT \(".*no-such-file\.pkl"\)/,
    );
    await expect(readPysklFile('')).rejects.toBeInstanceOf(Ske2GridError);
  });
});
