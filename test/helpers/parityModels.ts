/**
 * The official parity models of `../shared/fixtures/parity` built with their official weights, and a
 * seeded change of a model's statistics that makes every inference fold matter: shared by the tests
 * of the inference compiler and of the ONNX exporter.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ParityFixture } from '../../src/interop/parityFixture.js';
import { loadOfficialWeights } from '../../src/interop/officialWeights.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { readParityFixture } from '../../src/node/readParityFixture.js';
import { SHARED } from './backends.js';

/** The parity fixtures used: the official 5x5 model and its grown 6x6 stage. */
export const PARITY_MODELS = ['d5_t12', 'd6_t12_pls'] as const;

/** Whether `../shared/fixtures/parity` holds both {@link PARITY_MODELS}. */
export const hasParityModels = PARITY_MODELS.every((name) => existsSync(`${SHARED}fixtures/parity/${name}/manifest.json`));

/** Reads a parity fixture and builds its model with the official weights loaded. */
export function officialParityModel(name: (typeof PARITY_MODELS)[number]): { fixture: ParityFixture; model: tfl.LayersModel } {
  const fixture = readParityFixture(`${SHARED}fixtures/parity/${name}`);
  const model = buildSke2Grid(fixture.config());
  loadOfficialWeights(model, fixture.stateDict());
  return { fixture, model };
}

/**
 * Gives every batch norm non-trivial statistics and affine parameters, every conv a non-zero bias
 * and the classifier a larger scale (seeded), so that each fold changes the numbers.
 */
export function randomizeForInference(model: tfl.LayersModel, seed: number): void {
  let k = seed * 100;
  for (const w of model.weights) {
    const shape = w.shape as number[];
    const name = w.originalName;
    const value = /moving_variance/.test(name)
      ? tf.randomUniform(shape, 0.3, 2, 'float32', k++)
      : /gamma/.test(name)
        ? tf.randomUniform(shape, 0.4, 1.6, 'float32', k++)
        : /moving_mean|beta|bias/.test(name)
          ? tf.randomNormal(shape, 0, 0.5, 'float32', k++)
          : /classifier.*kernel/.test(name)
            ? tf.randomNormal(shape, 0, 0.5, 'float32', k++)
            : null;
    if (value) {
      w.write(value);
      value.dispose();
    }
  }
}
