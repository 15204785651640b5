import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random/random.js';
import { FoldedGridConvBlock, type FoldedGridConvWeights } from '../../../src/deploy/layers/FoldedGridConvBlock.js';
import { useBackend } from '../../helpers/backends.js';
import { saveToMemory } from '../../helpers/roundTrip.js';
import { runLayerTest } from '../../helpers/runLayerTest.js';

/** Seeded random folded weights for a block (`cin` in, `cout` out). */
function randomWeights(block: FoldedGridConvBlock, cin: number, seed: number): FoldedGridConvWeights {
  const rnd = createRandom(seed);
  const cout = block.filters;
  const k = block.kernelSize;
  const kt = block.temporalKernelSize;
  const draw = (n: number, scale: number) => Float32Array.from({ length: n }, () => rnd.normal() * scale);
  const w: FoldedGridConvWeights = {
    spatialKernel: draw(k * k * cin * cout, 0.4),
    spatialBias: draw(cout, 0.2),
    temporalKernel: draw(kt * cout * cout, 0.3),
    temporalBias: draw(cout, 0.2),
  };
  if (block.residual === 'conv') {
    w.residualKernel = draw(cin * cout, 0.5);
    w.residualBias = draw(cout, 0.2);
  }
  return w;
}

/** A block that writes seeded random weights as soon as it is built (so the round trip compares real numbers). */
function withRandomWeights(block: FoldedGridConvBlock, seed: number): FoldedGridConvBlock {
  const build = block.build.bind(block);
  block.build = (shape) => {
    build(shape);
    const s = Array.isArray(shape[0]) ? (shape[0] as number[]) : (shape as number[]);
    block.setFolded(randomWeights(block, s[5], seed));
  };
  return block;
}

/** A built one-layer model around `block` for input `[M, T, H, W, C]`. */
function wrap(block: FoldedGridConvBlock, shape: number[]): tfl.LayersModel {
  const input = tfl.input({ shape });
  return tfl.model({ inputs: input, outputs: block.apply(input) as tfl.SymbolicTensor });
}

for (const backend of ['cpu', 'wasm']) {
  describe(`FoldedGridConvBlock on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('passes the layer contract with a strided conv residual', () =>
      runLayerTest({
        make: () => withRandomWeights(new FoldedGridConvBlock({ name: 'block', filters: 6, stride: 2, residual: 'conv' }), 1),
        inputShape: [2, null, 3, 3, 4],
        input: () => tf.randomNormal([2, 2, 5, 3, 3, 4]),
        outputShape: [2, 2, 3, 3, 3, 6],
        trainableParams: 0,
        // spatial 3*3*4*6 + 6, temporal 9*6*6 + 6, residual 4*6 + 6
        nonTrainableParams: 222 + 330 + 30,
      }));

    it('passes the layer contract with an identity residual', () =>
      runLayerTest({
        make: () => withRandomWeights(new FoldedGridConvBlock({ name: 'block', filters: 4, residual: 'identity' }), 2),
        inputShape: [1, 6, 2, 2, 4],
        input: () => tf.randomNormal([2, 1, 6, 2, 2, 4]),
        outputShape: [2, 1, 6, 2, 2, 4],
        trainableParams: 0,
        nonTrainableParams: 148 + 148,
      }));

    it('passes the layer contract without a residual', () =>
      runLayerTest({
        make: () => withRandomWeights(new FoldedGridConvBlock({ name: 'block', filters: 5, temporalKernelSize: 3 }), 3),
        inputShape: [2, 4, 3, 3, 2],
        input: () => tf.randomNormal([1, 2, 4, 3, 3, 2]),
        outputShape: [1, 2, 4, 3, 3, 5],
        trainableParams: 0,
        nonTrainableParams: 3 * 3 * 2 * 5 + 5 + 3 * 5 * 5 + 5,
      }));

    it('computes relu(tconv(relu(conv(x)))) + residual, then ReLU (hand-computed, 1 cell, 1 channel)', () => {
      // x over T = 4: [1, -2, 3, 4]; spatial 1x1: 2x - 1 -> [1, -5, 5, 7] -> ReLU [1, 0, 5, 7];
      // temporal taps [1, 0.5, -1], bias 0.25, padding 1/1 -> [0.75, -3.75, -4.25, 8.75].
      const x = tf.tensor6d([1, -2, 3, 4], [1, 1, 4, 1, 1, 1]);
      const base = {
        spatialKernel: Float32Array.of(2),
        spatialBias: Float32Array.of(-1),
        temporalKernel: Float32Array.of(1, 0.5, -1),
        temporalBias: Float32Array.of(0.25),
      };
      const values = (block: FoldedGridConvBlock, w: FoldedGridConvWeights) => {
        const model = wrap(block, [1, 4, 1, 1, 1]);
        block.setFolded(w);
        const out = tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));
        model.dispose();
        return out;
      };
      const opts = { filters: 1, kernelSize: 1, temporalKernelSize: 3 };
      expect(values(new FoldedGridConvBlock({ ...opts }), base)).toEqual([0.75, 0, 0, 8.75]);
      // + identity [1, -2, 3, 4] = [1.75, -5.75, -1.25, 12.75] -> ReLU
      expect(values(new FoldedGridConvBlock({ ...opts, residual: 'identity' }), base)).toEqual([1.75, 0, 0, 12.75]);
      // stride 2 keeps t = 0, 2: [0.75, -4.25] + (3x + 0.5 at t = 0, 2 = [3.5, 9.5]) = [4.25, 5.25]
      const conv = { ...base, residualKernel: Float32Array.of(3), residualBias: Float32Array.of(0.5) };
      expect(values(new FoldedGridConvBlock({ ...opts, stride: 2, residual: 'conv' }), conv)).toEqual([4.25, 5.25]);
      x.dispose();
    });

    it('zero-pads the 3x3 grid convolution at the borders (hand-computed corner cell)', () => {
      // A 2x2 grid of ones, kernel of ones: each cell sees 4 of the 9 taps (the rest is padding).
      const block = new FoldedGridConvBlock({ filters: 1, temporalKernelSize: 1 });
      const model = wrap(block, [1, 1, 2, 2, 1]);
      block.setFolded({
        spatialKernel: new Float32Array(9).fill(1),
        spatialBias: Float32Array.of(0),
        temporalKernel: Float32Array.of(1),
        temporalBias: Float32Array.of(0),
      });
      const out = tf.tidy(() => Array.from((model.predict(tf.ones([1, 1, 1, 2, 2, 1])) as tf.Tensor).dataSync()));
      expect(out).toEqual([4, 4, 4, 4]);
      model.dispose();
    });
  });
}

describe('FoldedGridConvBlock convolution formulation', () => {
  beforeAll(() => useBackend('cpu'));

  it("honours convFormulation: 'conv2d' and 'matmul' give equal results and it survives a save/load", async () => {
    const x = tf.randomNormal([2, 2, 7, 3, 3, 4], 0, 1, 'float32', 5);
    const outputs: Record<string, number[]> = {};
    for (const convFormulation of ['conv2d', 'matmul'] as const) {
      const block = new FoldedGridConvBlock({ name: 'block', filters: 6, stride: 2, residual: 'conv', convFormulation });
      const model = wrap(block, [2, 7, 3, 3, 4]);
      block.setFolded(randomWeights(block, 4, 11));
      expect(block.getConfig().convFormulation).toBe(convFormulation);
      // Every convolution runs in the block's formulation: backend Conv2D kernels, or patches times a matrix.
      let y: tf.Tensor | undefined;
      const profile = await tf.profile(() => {
        y = model.predict(x) as tf.Tensor;
        return y;
      });
      const convKernels = profile.kernels.map((k) => k.name).filter((k) => /Conv2D/.test(k));
      if (convFormulation === 'conv2d') expect(convKernels.length).toBe(3);
      else expect(convKernels).toEqual([]);
      y = y!;
      outputs[convFormulation] = Array.from(y.dataSync());
      y.dispose();
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
      expect((loaded.layers[1] as FoldedGridConvBlock).convFormulation).toBe(convFormulation);
      const again = loaded.predict(x) as tf.Tensor;
      expect(Array.from(again.dataSync())).toEqual(outputs[convFormulation]);
      tf.dispose(again);
      loaded.dispose();
      model.dispose();
    }
    const conv = outputs.conv2d;
    const diff = Math.max(...conv.map((v, i) => Math.abs(v - outputs.matmul[i])));
    expect(diff).toBeLessThan(1e-4);
    expect(Math.max(...conv.map(Math.abs))).toBeGreaterThan(1);
    x.dispose();
    expect(() => new FoldedGridConvBlock({ filters: 2, convFormulation: 'fft' as never })).toThrow(
      /FoldedGridConvBlock convFormulation: expected 'auto' or one of 'conv2d', 'matmul', got "fft"/,
    );
  });
});

describe('FoldedGridConvBlock errors', () => {
  beforeAll(() => useBackend('cpu'));

  it('rejects bad arguments, inputs and weight values with a clear message', () => {
    expect(() => new FoldedGridConvBlock({ filters: 0 })).toThrow(/FoldedGridConvBlock filters: expected a positive integer, got 0/);
    expect(() => new FoldedGridConvBlock({ filters: 4, kernelSize: 2 })).toThrow(/FoldedGridConvBlock kernel sizes: expected odd numbers, got \[2, 9\]/);
    expect(() => new FoldedGridConvBlock({ filters: 4, residual: 'auto' as never })).toThrow(
      /FoldedGridConvBlock residual: expected 'none', 'identity' or 'conv', got "auto"/,
    );
    const identity = new FoldedGridConvBlock({ name: 'b', filters: 4, residual: 'identity' });
    expect(() => identity.apply(tfl.input({ shape: [1, 4, 2, 2, 3] }))).toThrow(
      /b residual 'identity': expected equal channels and stride 1, got 3->4 channels, stride 1/,
    );
    const rank5 = new FoldedGridConvBlock({ name: 'r', filters: 4 });
    expect(() => rank5.apply(tfl.input({ shape: [4, 2, 2, 3] }))).toThrow(/r input: expected \[batch, persons, frames, height, width, channels\]/);

    const block = new FoldedGridConvBlock({ name: 'f', filters: 2, temporalKernelSize: 3 });
    const unbuilt = randomWeights(block, 1, 0);
    expect(() => block.setFolded({ ...unbuilt })).toThrow(/f: expected a built layer/);
    const model = wrap(block, [1, 4, 2, 2, 1]);
    const good = randomWeights(block, 1, 0);
    expect(() => block.setFolded({ ...good, temporalKernel: new Float32Array(3) })).toThrow(
      /f setFolded temporalKernel: expected a Float32Array of 12 values \(\[3, 1, 2, 2\]\), got "3 values"/,
    );
    const bad = Float32Array.from(good.spatialBias);
    bad[1] = Infinity;
    expect(() => block.setFolded({ ...good, spatialBias: bad })).toThrow(/f setFolded spatialBias\[1\]: expected a finite number, got Infinity/);
    model.dispose();
  });
});
