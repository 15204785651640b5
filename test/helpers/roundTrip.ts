import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { getModelConfig } from '../../src/model/buildSke2Grid.js';

/** Saves a model to in-memory artifacts (for `tf.io.fromMemory`). */
export async function saveToMemory(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  return artifacts!;
}

/** Asserts a reloaded Ske2Grid model equals its original: the given GIT permutation, the config and bit-identical logits. */
export function expectFaithfulCopy(original: tfl.LayersModel, copy: tfl.LayersModel, gitLayer: string, permutation: number[]): void {
  expect((copy.getLayer(gitLayer) as GridIndexTransform).getPermutation()).toEqual(permutation);
  expect(getModelConfig(copy)).toEqual(getModelConfig(original));
  const [, m, t, v, c] = original.inputs[0].shape as number[];
  const x = tf.randomNormal([2, m, t, v, c]);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(original.predict(x) as tf.Tensor, copy.predict(x) as tf.Tensor))).dataSync()[0]);
  expect(diff).toBe(0);
  x.dispose();
}
