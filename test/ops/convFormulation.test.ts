import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { GridConvBlock } from '../../src/layers/GridConvBlock.js';
import { buildSke2Grid, getModelConfig } from '../../src/model/buildSke2Grid.js';
import { resolveConfig, toPlainConfig } from '../../src/model/config.js';
import { CONV_FORMULATIONS, DEFAULT_CONV_FORMULATIONS, checkConvFormulation, formulationFor, resolveConvFormulation } from '../../src/ops/convFormulation.js';
import { Ske2GridError } from '../../src/errors.js';
import { useBackend } from '../helpers/backends.js';
import { saveToMemory } from '../helpers/roundTrip.js';
import { TINY } from '../helpers/tiny.js';

describe('resolveConvFormulation and checkConvFormulation', () => {
  it("resolves 'auto' from the backend table at call time, unknown backends to 'conv2d', explicit choices unchanged", async () => {
    for (const backend of ['cpu', 'wasm']) {
      await useBackend(backend);
      expect(resolveConvFormulation('auto')).toBe(DEFAULT_CONV_FORMULATIONS[backend]);
      expect(resolveConvFormulation()).toBe(DEFAULT_CONV_FORMULATIONS[backend]);
    }
    expect(resolveConvFormulation('auto', 'some-future-backend')).toBe('conv2d');
    for (const f of CONV_FORMULATIONS) expect(resolveConvFormulation(f, 'wasm')).toBe(f);
    expect(Object.keys(DEFAULT_CONV_FORMULATIONS).sort()).toEqual(['cpu', 'tensorflow', 'wasm', 'webgl', 'webgpu']);
    expect(CONV_FORMULATIONS).toEqual(['conv2d', 'matmul']);
  });

  it('formulationFor resolves a checked setting as resolveConvFormulation does', () => {
    for (const backend of ['wasm', 'cpu', 'webgl', 'webgpu', 'tensorflow', 'unknown']) {
      for (const setting of ['auto', ...CONV_FORMULATIONS] as const) expect(formulationFor(setting, backend)).toBe(resolveConvFormulation(setting, backend));
    }
    expect(formulationFor('matmul', 'wasm')).toBe('matmul');
    expect(formulationFor('auto', 'unknown')).toBe('conv2d');
  });

  it('rejects anything else with a Ske2GridError naming the argument', () => {
    expect(checkConvFormulation('x', undefined)).toBe('auto');
    expect(() => checkConvFormulation('config.convFormulation', 'fft')).toThrow(Ske2GridError);
    expect(() => checkConvFormulation('config.convFormulation', 'fft')).toThrow(
      /config\.convFormulation: expected 'auto' or one of 'conv2d', 'matmul', got "fft"/,
    );
    expect(() => resolveConvFormulation('winograd' as 'conv2d')).toThrow(/convFormulation: expected 'auto' or one of 'conv2d', 'matmul', got "winograd"/);
  });
});

describe('convFormulation in the model config and the grid blocks', () => {
  it("config: default 'auto', validated, kept by toPlainConfig", () => {
    expect(resolveConfig({}).convFormulation).toBe('auto');
    expect(resolveConfig({ convFormulation: 'matmul' }).convFormulation).toBe('matmul');
    expect(toPlainConfig(resolveConfig({ convFormulation: 'conv2d' })).convFormulation).toBe('conv2d');
    expect(() => resolveConfig({ convFormulation: 'im2col' as 'matmul' })).toThrow(
      /config\.convFormulation: expected 'auto' or one of 'conv2d', 'matmul', got "im2col"/,
    );
    expect(() => new GridConvBlock({ filters: 4, convFormulation: 3 as unknown as 'conv2d' })).toThrow(/GridConvBlock convFormulation: expected 'auto'.*got 3/);
  });

  it('buildSke2Grid passes it to every block; it survives save and load (layer config and model metadata); results do not depend on it', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    const models = CONV_FORMULATIONS.map((convFormulation) => buildSke2Grid({ ...TINY, seed: 7, convFormulation }));
    for (const [i, model] of models.entries()) {
      const blocks = model.layers.filter((l) => l instanceof GridConvBlock) as GridConvBlock[];
      expect(blocks.map((b) => b.convFormulation)).toEqual(blocks.map(() => CONV_FORMULATIONS[i]));
      const copy = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
      expect(getModelConfig(copy).convFormulation).toBe(CONV_FORMULATIONS[i]);
      expect(copy.layers.filter((l) => l instanceof GridConvBlock).map((b) => (b as GridConvBlock).convFormulation)).toEqual(
        blocks.map(() => CONV_FORMULATIONS[i]),
      );
      copy.dispose();
    }
    const x = tf.randomNormal([2, 2, 8, 17, 3], 0, 1, 'float32', 1);
    const [a, b] = models.map((m) => m.predict(x) as tf.Tensor);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(a)).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    models.forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});
