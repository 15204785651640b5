import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { LIMITS } from '../../src/limits.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { estimateModelSize, resolveConfig, type Ske2GridConfig } from '../../src/model/config.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

beforeAll(() => useBackend('cpu'));

describe('estimateModelSize', () => {
  it.each<[string, Ske2GridConfig]>([
    ['official 5x5', {}],
    ['6x6 PLS stage', { gridShape: [6, 6], stages: [17, 25] }],
    ['tiny', TINY],
    ['ntu 3-D, one person, 8x8, 3 stages', { ...TINY, layout: 'nturgb+d', persons: 1, gridShape: [8, 8], stages: [25, 36, 49] }],
  ])('equals model.countParams() once built (%s)', (_, config) => {
    const model = buildSke2Grid(config);
    expect(estimateModelSize(resolveConfig(config)).parameters).toBe(model.countParams());
    model.dispose();
  });

  it('gives the largest block activation of one clip: persons x frames x cells x channels', () => {
    // official plan: 2 x 100 x 25 x 64 = 2 x 50 x 25 x 128 = 2 x 25 x 25 x 256 = 320,000
    expect(estimateModelSize(resolveConfig({})).activationValues).toBe(320_000);
    expect(estimateModelSize(resolveConfig({ ...TINY, frames: 9 })).activationValues).toBe(2 * 5 * 25 * 8); // stride 2: ceil(9 / 2) frames of 8 channels
    expect(estimateModelSize(resolveConfig({ frames: null })).activationValues).toBe(0);
  });
});

describe('config bounds: refused by name before anything is built', () => {
  it.each<[string, Ske2GridConfig, string]>([
    ['numClasses 1e9', { numClasses: 1e9 }, 'config.numClasses: expected an integer in [1, 100000] (LIMITS.maxClasses), got 1000000000'],
    ['gridShape [10000, 10000]', { gridShape: [10000, 10000] }, 'config.gridShape: expected sides of at most 32 (LIMITS.maxGridSide), got [10000, 10000]'],
    ['gridShape [100, 100]', { gridShape: [100, 100] }, 'config.gridShape: expected sides of at most 32 (LIMITS.maxGridSide), got [100, 100]'],
    ['inChannels 1e9', { inChannels: 1e9 }, 'config.inChannels: expected an integer in [1, 256] (LIMITS.maxInChannels), got 1000000000'],
    ['persons 1000', { persons: 1000 }, 'config.persons: expected an integer in [1, 16] (LIMITS.maxPersons), got 1000'],
    ['frames 1e7', { frames: 1e7 }, 'config.frames: expected an integer in [1, 10000] (LIMITS.maxFrames) or null, got 10000000'],
    [
      '9 stages',
      { gridShape: [6, 6], stages: [17, 25, 25, 25, 25, 25, 25, 25, 25] },
      'config.stages: expected at most 8 stages (LIMITS.maxStages), got [17, 25, 25, 25, 25, 25, 25, 25, 25]',
    ],
    [
      '65 blocks',
      { blocks: Array.from({ length: 65 }, () => ({ filters: 4, stride: 1 })) },
      'config.blocks: expected at most 64 blocks (LIMITS.maxBlocks), got "65 blocks"',
    ],
    [
      'filters 1e6',
      { blocks: [{ filters: 1e6, stride: 1 }] },
      'config.blocks[0]: expected filters <= 4096 and stride <= 16 (LIMITS.maxFilters, LIMITS.maxStride), got {"filters":1000000,"stride":1}',
    ],
    [
      'stride 1000',
      { blocks: [{ filters: 4, stride: 1000 }] },
      'config.blocks[0]: expected filters <= 4096 and stride <= 16 (LIMITS.maxFilters, LIMITS.maxStride), got {"filters":4,"stride":1000}',
    ],
    [
      '4096 filters x 64 blocks',
      { blocks: Array.from({ length: 64 }, () => ({ filters: 4096, stride: 1 })) },
      'config: expected a model of at most 134217728 weights (LIMITS.maxParameters), got "',
    ],
    [
      'activation of one clip',
      { gridShape: [32, 32], frames: 10000, blocks: [{ filters: 64, stride: 1 }] },
      'config: expected at most 134217728 activation values per clip in a block (LIMITS.maxActivationValues), got "1310720000 (persons x frames x cells x channels)"',
    ],
  ])('%s', (_, config, message) => {
    const before = tf.memory().numTensors;
    expect(() => resolveConfig(config)).toThrow(Ske2GridError);
    expect(() => buildSke2Grid(config)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts every bound itself (largest grid, classes, persons, channels on a small plan)', () => {
    const c = resolveConfig({
      gridShape: [LIMITS.maxGridSide, LIMITS.maxGridSide],
      numClasses: LIMITS.maxClasses,
      persons: LIMITS.maxPersons,
      inChannels: LIMITS.maxInChannels,
      frames: 4,
      blocks: [{ filters: 4, stride: 1 }],
    });
    expect(c.numClasses).toBe(100_000);
    expect(estimateModelSize(c).parameters).toBeLessThanOrEqual(LIMITS.maxParameters);
  });
});
