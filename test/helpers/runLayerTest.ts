import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import { saveToMemory } from './roundTrip.js';

/** What {@link runLayerTest} needs to know about a layer under test. */
export interface LayerTestSpec {
  /** Makes a fresh, unbuilt layer. */
  make: () => tfl.layers.Layer;
  /** Input shape without the batch dimension (null = variable). */
  inputShape: (number | null)[];
  /** A concrete input batch. */
  input: () => tf.Tensor;
  /** Expected output shape for `input()`. */
  outputShape: number[];
  /** Expected numbers of trainable and non-trainable scalar weights. */
  trainableParams: number;
  nonTrainableParams: number;
}

/**
 * The common checks for every ske2grid layer (after Keras' layer_test): symbolic vs eager shapes,
 * weight counts, config + save/load round trip with identical outputs, one `fit` step that changes
 * the weights, a gradient for every trainable weight, and no tensor leak.
 */
export async function runLayerTest(spec: LayerTestSpec): Promise<void> {
  const before = tf.memory().numTensors;
  const input = tfl.input({ shape: spec.inputShape });
  const layer = spec.make();
  const symbolic = layer.apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: symbolic });
  const x = spec.input();

  // Shapes: symbolic (batch dim dropped) equals eager.
  const y = model.predict(x) as tf.Tensor;
  expect(y.shape).toEqual(spec.outputShape);
  symbolic.shape.slice(1).forEach((d, i) => {
    if (d != null) expect(d).toBe(spec.outputShape[i + 1]);
  });
  const finite = tf.tidy(() => tf.all(tf.isFinite(y)).dataSync()[0]);
  expect(finite).toBe(1);

  // Weight counts.
  const count = (ws: tfl.LayerVariable[]) => ws.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d as number), 1), 0);
  expect(count(layer.trainableWeights)).toBe(spec.trainableParams);
  expect(count(layer.nonTrainableWeights)).toBe(spec.nonTrainableParams);

  // Config + save/load round trip (through the tfjs serializer, so class registration is tested).
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
  const reloadedLayer = loaded.layers[1];
  expect(reloadedLayer.getClassName()).toBe(layer.getClassName());
  expect(reloadedLayer.getConfig()).toEqual(layer.getConfig());
  const y2 = loaded.predict(x) as tf.Tensor;
  expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y, y2))).dataSync()[0])).toBeLessThan(1e-6);

  // Every trainable weight receives a non-zero gradient. With batch statistics, the first BN's
  // affine and the conv biases in front of a BN get an analytically zero gradient (as in the
  // reference), so this check runs with frozen batch normalisation.
  const hasBatchNorm = 'frozenBatchNorm' in layer;
  const setFrozen = (f: boolean) => {
    if (hasBatchNorm) (layer as unknown as { frozenBatchNorm: boolean }).frozenBatchNorm = f;
  };
  setFrozen(true);
  const wts = tf.tidy(() => tf.randomNormal(spec.outputShape));
  const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length > 0) {
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, wts)) as tf.Scalar, vars);
    for (const v of vars) {
      const g = grads[v.name];
      expect(g, `gradient of ${v.name}`).toBeDefined();
      const norm = tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]);
      expect(norm, `gradient norm of ${v.name}`).toBeGreaterThan(0);
      expect(Number.isFinite(norm)).toBe(true);
    }
    tf.dispose([grads, value]);

    // One fit step (frozen BN) changes every trainable weight; one with batch statistics moves the running statistics.
    const snapshot = vars.map((v) => tf.clone(v));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const target = tf.tidy(() => tf.randomNormal(spec.outputShape));
    await model.fit(x, target, { epochs: 1, batchSize: spec.outputShape[0], verbose: 0 });
    vars.forEach((v, i) => {
      const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(v, snapshot[i]))).dataSync()[0]);
      expect(moved, `fit moved ${v.name}`).toBeGreaterThan(0);
    });
    setFrozen(false);
    const stats = layer.nonTrainableWeights.filter((w) => /moving/.test(w.name)).map((w) => w.read() as tf.Variable);
    const statSnapshot = stats.map((v) => tf.clone(v));
    await model.fit(x, target, { epochs: 1, batchSize: spec.outputShape[0], verbose: 0 });
    stats.forEach((v, i) => {
      const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(v, statSnapshot[i]))).dataSync()[0]);
      expect(moved, `fit updated ${v.name}`).toBeGreaterThan(0);
    });
    tf.dispose([...snapshot, ...statSnapshot, target]);
    model.optimizer.dispose();
  }

  tf.dispose([x, y, y2, wts]);
  model.dispose();
  loaded.dispose();
  expect(tf.memory().numTensors).toBe(before);
}
