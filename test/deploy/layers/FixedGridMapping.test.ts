import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random/random.js';
import { FixedGridMapping, isSelectionMatrix, type GridMappingParts } from '../../../src/deploy/layers/FixedGridMapping.js';
import { useBackend } from '../../helpers/backends.js';
import { runLayerTest } from '../../helpers/runLayerTest.js';

/** A layer that writes seeded random values into its fixed weights as soon as it is built (so the round trip compares real numbers). */
function withRandomMapping(layer: FixedGridMapping, joints: number, channels: number, seed: number): FixedGridMapping {
  const build = layer.build.bind(layer);
  layer.build = (shape) => {
    build(shape);
    const rnd = createRandom(seed);
    const cells = layer.cells;
    const mixing = new Float64Array(cells * joints);
    for (let r = 0; r < cells; r++) {
      if (layer.mode === 'gather') mixing[r * joints + rnd.int(joints)] = rnd.normal();
      else for (let j = 0; j < joints; j++) mixing[r * joints + j] = rnd.normal();
    }
    const affine = () => Float64Array.from({ length: joints * channels }, () => rnd.normal());
    layer.setMapping({ mixing, scale: affine(), shift: affine() });
  };
  return layer;
}

/** Runs a one-layer model on `x` and returns the values. */
function run(layer: FixedGridMapping, x: tf.Tensor): number[] {
  const input = tfl.input({ shape: x.shape.slice(1) });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  return tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));
}

for (const backend of ['cpu', 'wasm']) {
  describe(`FixedGridMapping on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('passes the layer contract in matrix mode (fixed weights: kernel [V*C, H*W*C] + bias)', () =>
      runLayerTest({
        make: () => withRandomMapping(new FixedGridMapping({ name: 'mapping', gridShape: [2, 2] }), 3, 2, 1),
        inputShape: [2, null, 3, 2],
        input: () => tf.randomNormal([2, 2, 5, 3, 2]),
        outputShape: [2, 2, 5, 2, 2, 2],
        trainableParams: 0,
        nonTrainableParams: 6 * 8 + 8,
      }));

    it('passes the layer contract in gather mode (index [H*W] + scale and shift [H*W, C])', () =>
      runLayerTest({
        make: () => withRandomMapping(new FixedGridMapping({ name: 'mapping', gridShape: [3, 3], mode: 'gather' }), 4, 3, 2),
        inputShape: [1, 4, 4, 3],
        input: () => tf.randomNormal([3, 1, 4, 4, 3]),
        outputShape: [3, 1, 4, 3, 3, 3],
        trainableParams: 0,
        nonTrainableParams: 9 + 27 + 27,
      }));

    it('computes sum_v mixing[r, v] * (scale[v, c] * x[v, c] + shift[v, c]) (hand-computed, both modes)', () => {
      // V = 2 joints, C = 2 coordinates, grid 1 x 2. x[v][c] = [[1, 2], [3, 4]].
      const x = tf.tensor5d([1, 2, 3, 4], [1, 1, 1, 2, 2]);
      const affine = { scale: [2, -1, 0.5, 1], shift: [1, 0, -1, 2] }; // normalised: [[3, -2], [0.5, 6]]
      const dense = new FixedGridMapping({ gridShape: [1, 2] });
      const denseOut = (() => {
        const input = tfl.input({ shape: [1, 1, 2, 2] });
        const model = tfl.model({ inputs: input, outputs: dense.apply(input) as tfl.SymbolicTensor });
        dense.setMapping({ mixing: [1, 2, 0, -3], ...affine });
        return tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));
      })();
      // cell 0 = 1*[3, -2] + 2*[0.5, 6] = [4, 10]; cell 1 = -3*[0.5, 6] = [-1.5, -18]
      expect(denseOut).toEqual([4, 10, -1.5, -18]);

      const gather = new FixedGridMapping({ gridShape: [1, 2], mode: 'gather' });
      const input = tfl.input({ shape: [1, 1, 2, 2] });
      const model = tfl.model({ inputs: input, outputs: gather.apply(input) as tfl.SymbolicTensor });
      gather.setMapping({ mixing: [0, 2, 1, 0], ...affine });
      // cell 0 = 2 * joint 1 = [1, 12]; cell 1 = joint 0 = [3, -2]
      expect(tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()))).toEqual([1, 12, 3, -2]);
      // An empty row (a cell that reads no joint) gives zeros.
      gather.setMapping({ mixing: [0, 0, 1, 0], ...affine });
      expect(tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()))).toEqual([0, 0, 3, -2]);
      x.dispose();
      dense.dispose();
      model.dispose();
    });

    it('has the output shape [B, M, T, H, W, C] for any frame count and no tensor leak', () => {
      const before = tf.memory().numTensors;
      const layer = withRandomMapping(new FixedGridMapping({ gridShape: [5, 5] }), 17, 3, 3);
      const x = tf.randomNormal([1, 2, 7, 17, 3]);
      expect(run(layer, x).length).toBe(2 * 7 * 25 * 3);
      expect(layer.computeOutputShape([null, 2, null, 17, 3])).toEqual([null, 2, null, 5, 5, 3]);
      x.dispose();
      layer.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

describe('FixedGridMapping errors', () => {
  beforeAll(() => useBackend('cpu'));

  it('rejects bad arguments, inputs and mapping values with a clear message', () => {
    expect(() => new FixedGridMapping({ gridShape: [5, 0] as [number, number] })).toThrow(
      /FixedGridMapping gridShape: expected two positive integers \[H, W\], got \[5, 0\]/,
    );
    expect(() => new FixedGridMapping({ gridShape: [5, 5], mode: 'sparse' as never })).toThrow(
      /FixedGridMapping mode: expected 'matrix' or 'gather', got "sparse"/,
    );
    const unbuilt = new FixedGridMapping({ name: 'm', gridShape: [1, 2] });
    const parts: GridMappingParts = { mixing: [1, 0, 0, 1], scale: [1, 1], shift: [0, 0] };
    expect(() => unbuilt.setMapping(parts)).toThrow(/m: expected a built layer/);
    expect(() => unbuilt.apply(tfl.input({ shape: [2, 4, 3] }))).toThrow(/m input: expected \[batch, persons, frames, joints, channels\]/);

    const layer = new FixedGridMapping({ name: 'g', gridShape: [1, 2], mode: 'gather' });
    const input = tfl.input({ shape: [1, 1, 2, 1] });
    layer.apply(input);
    expect(() => layer.setMapping({ ...parts, mixing: [1, 1, 0, 1] })).toThrow(
      /g setMapping mixing: expected a matrix with at most one non-zero entry per row/,
    );
    expect(() => layer.setMapping({ ...parts, mixing: [1, 0, 0] })).toThrow(/g setMapping mixing: expected 4 numbers \(\[2, 2\], row-major\), got "3 numbers"/);
    expect(() => layer.setMapping({ ...parts, shift: [0, NaN] })).toThrow(/g setMapping shift\[1\]: expected a finite number, got NaN/);
    layer.dispose();
  });

  it('isSelectionMatrix: at most one non-zero per row', () => {
    expect(isSelectionMatrix([0, 1, 0, 0, 0, 2.5], 2, 3)).toBe(true);
    expect(isSelectionMatrix([0, 0, 0, 1, 0, 0], 2, 3)).toBe(true);
    expect(isSelectionMatrix([0, 1, 0, 1e-9, 0, 1], 2, 3)).toBe(false);
  });
});
