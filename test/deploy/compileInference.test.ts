import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { compileForInference, compileForInferenceAsync, inferenceMarker, INFERENCE_FORMAT } from '../../src/deploy/compileInference.js';
import { maxRelative } from '../../src/interop/parityChecks.js';
import { FixedGridMapping } from '../../src/deploy/layers/FixedGridMapping.js';
import { FoldedGridConvBlock } from '../../src/deploy/layers/FoldedGridConvBlock.js';
import { buildSke2Grid, CONFIG_METADATA_KEY, getModelConfig } from '../../src/model/buildSke2Grid.js';
import { resolveConfig, toPlainConfig, type Ske2GridConfig } from '../../src/model/config.js';
import { growSke2Grid } from '../../src/model/growSke2Grid.js';
import { useBackend } from '../helpers/backends.js';
import { saveToMemory } from '../helpers/roundTrip.js';
import { hasParityModels, officialParityModel, PARITY_MODELS, randomizeForInference } from '../helpers/parityModels.js';
import { TINY } from '../helpers/tiny.js';

/** A seeded clip batch `[n, M, T, V, C]`. */
const clips = (n: number, m: number, t: number, v: number, c: number, seed = 3) => tf.randomNormal([n, m, t, v, c], 0, 1, 'float32', seed);

/** Logits of both models on the same input and their max relative difference. */
function compare(original: tfl.LayersModel, compiled: tfl.LayersModel, x: tf.Tensor): number {
  return tf.tidy(() => maxRelative(compiled.predict(x) as tf.Tensor, original.predict(x) as tf.Tensor));
}

const CASES: { what: string; config: Ske2GridConfig; input: [number, number, number, number]; mapping: 'matrix' | 'gather' }[] = [
  { what: 'COCO 5x5, residuals none / strided conv / identity', config: { ...TINY, seed: 1 }, input: [2, 8, 17, 3], mapping: 'matrix' },
  {
    what: 'COCO 6x6 in one stage, conv residual at stride 1, any clip length',
    config: {
      ...TINY,
      gridShape: [6, 6],
      frames: null,
      blocks: [
        { filters: 4, stride: 1 },
        { filters: 6, stride: 1 },
        { filters: 6, stride: 2 },
      ],
      seed: 2,
    },
    input: [2, 7, 17, 3],
    mapping: 'matrix',
  },
  {
    what: 'Kinect-20 5x5, one person, 2D, symmetric prior',
    config: { ...TINY, layout: 'kinect20', persons: 1, inChannels: 2, prior: 'symmetric', seed: 3 },
    input: [1, 8, 20, 2],
    mapping: 'matrix',
  },
  {
    what: 'NTU-25 5x5 without prior (a pure selection: gather)',
    config: { ...TINY, layout: 'ntu25', prior: 'none', seed: 4 },
    input: [2, 8, 25, 3],
    mapping: 'gather',
  },
];

for (const backend of ['cpu', 'wasm']) {
  describe(`compileForInference on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    for (const { what, config, input, mapping } of CASES) {
      it(`gives the original logits (<= 1e-5 relative): ${what}`, () => {
        const model = buildSke2Grid(config);
        randomizeForInference(model, 1);
        const before = tf.memory().numTensors;
        const compiled = compileForInference(model);
        // Only the compiled model's own weights are new: nothing leaks from the folding.
        expect(tf.memory().numTensors - before).toBe(compiled.weights.length);
        expect(inferenceMarker(compiled)).toEqual({ format: INFERENCE_FORMAT, mapping, source: 'ske2grid' });
        expect(compiled.trainableWeights).toEqual([]);
        expect(compiled.layers.map((l) => l.getClassName())).toEqual([
          'InputLayer',
          'Ske2GridFixedGridMapping',
          ...getModelConfig(model).blocks.map(() => 'Ske2GridFoldedGridConvBlock'),
          'Ske2GridPersonGridPooling',
          'Dense',
        ]);
        expect(getModelConfig(compiled)).toEqual(getModelConfig(model));
        const x = clips(3, ...input);
        const rel = compare(model, compiled, x);
        expect(rel).toBeLessThanOrEqual(1e-5);
        // The comparison can fail: the logits are far from constant.
        const spread = tf.tidy(() => tf.sub(tf.max(model.predict(x) as tf.Tensor), tf.min(model.predict(x) as tf.Tensor)).dataSync()[0]);
        expect(spread).toBeGreaterThan(0.1);
        x.dispose();
        compiled.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }

    it('matches a grown progressive-learning model (6x6, stages [17, 25]) and a forced matrix mapping of a selection', () => {
      const small = buildSke2Grid({ ...TINY, seed: 5 });
      randomizeForInference(small, 2);
      const grown = growSke2Grid(small);
      randomizeForInference(grown, 3);
      expect(getModelConfig(grown).stages).toEqual([17, 25]);
      const compiled = compileForInference(grown);
      const x = clips(2, 2, 8, 17, 3);
      expect(compare(grown, compiled, x)).toBeLessThanOrEqual(1e-5);

      const ntu = buildSke2Grid({ ...TINY, layout: 'ntu25', prior: 'none', seed: 6 });
      randomizeForInference(ntu, 4);
      const asMatrix = compileForInference(ntu, { mapping: 'matrix' });
      const asGather = compileForInference(ntu, { mapping: 'gather' });
      expect(inferenceMarker(asMatrix)?.mapping).toBe('matrix');
      expect((asGather.getLayer('grid_mapping') as FixedGridMapping).mode).toBe('gather');
      const y = clips(2, 2, 8, 25, 3);
      expect(compare(ntu, asMatrix, y)).toBeLessThanOrEqual(1e-5);
      expect(compare(ntu, asGather, y)).toBeLessThanOrEqual(1e-5);
      tf.dispose([x, y]);
      [small, grown, compiled, ntu, asMatrix, asGather].forEach((m) => m.dispose());
    });

    it('can compile for any clip length (frames: null) and runs shorter clips', () => {
      const model = buildSke2Grid({ ...TINY, seed: 7 });
      randomizeForInference(model, 5);
      const anyLength = compileForInference(model, { frames: null, name: 'flexible' });
      expect(anyLength.name).toBe('flexible');
      expect(anyLength.inputs[0].shape).toEqual([null, 2, null, 17, 3]);
      expect(getModelConfig(anyLength).frames).toBeNull();
      const x = clips(2, 2, 8, 17, 3);
      expect(compare(model, anyLength, x)).toBeLessThanOrEqual(1e-5);
      const short = tf.tidy(() => (anyLength.predict(tf.slice(x, [0, 0, 0, 0, 0], [2, 2, 5, 17, 3])) as tf.Tensor).shape);
      expect(short).toEqual([2, 3]);
      x.dispose();
      model.dispose();
      anyLength.dispose();
    });

    it('saves and loads (tf.loadLayersModel) with identical logits, its config and its marker', async () => {
      const model = buildSke2Grid({ ...TINY, seed: 8 });
      randomizeForInference(model, 6);
      const compiled = compileForInference(model);
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(await saveToMemory(compiled)));
      expect(loaded.layers.map((l) => l.getClassName())).toEqual(compiled.layers.map((l) => l.getClassName()));
      expect(loaded.getLayer('block1').getConfig()).toEqual(compiled.getLayer('block1').getConfig());
      expect((loaded.getLayer('block1') as FoldedGridConvBlock).residual).toBe('conv');
      expect((loaded.getLayer('block2') as FoldedGridConvBlock).residual).toBe('identity');
      expect(getModelConfig(loaded)).toEqual(getModelConfig(compiled));
      expect(inferenceMarker(loaded)).toEqual(inferenceMarker(compiled));
      const x = clips(2, 2, 8, 17, 3);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(compiled.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor))).dataSync()[0]);
      expect(diff).toBe(0);
      x.dispose();
      [model, compiled, loaded].forEach((m) => m.dispose());
    });

    it('compileForInferenceAsync gives the same model without a synchronous device read', async () => {
      const small = buildSke2Grid({ ...TINY, seed: 9 });
      randomizeForInference(small, 7);
      const model = growSke2Grid(small);
      randomizeForInference(model, 8);
      const before = tf.memory().numTensors;
      const sync = compileForInference(model);
      const dataSync = vi.spyOn(tf.Tensor.prototype, 'dataSync');
      const arraySync = vi.spyOn(tf.Tensor.prototype, 'arraySync');
      const viaAsync = await compileForInferenceAsync(model);
      expect(dataSync).not.toHaveBeenCalled();
      expect(arraySync).not.toHaveBeenCalled();
      dataSync.mockRestore();
      arraySync.mockRestore();
      expect(inferenceMarker(viaAsync)).toEqual(inferenceMarker(sync));
      const weights = tf.tidy(() => viaAsync.getWeights().map((w, i) => tf.max(tf.abs(tf.sub(w, sync.getWeights()[i]))).dataSync()[0]));
      expect(weights).toHaveLength(sync.getWeights().length);
      expect(Math.max(...weights)).toBe(0);
      await expect(compileForInferenceAsync(null as never)).rejects.toThrow(/model: expected a tf.LayersModel built by buildSke2Grid, got null/);
      await expect(compileForInferenceAsync(sync)).rejects.toThrow(/already compiled for inference/);
      [sync, viaAsync].forEach((m) => m.dispose());
      expect(tf.memory().numTensors).toBe(before);
      [small, model].forEach((m) => m.dispose());
    });
  });
}

describe('compileForInference on the official parity models', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const name of PARITY_MODELS) {
      // Measured: <= 6e-7 relative to both the official logits and the original model, on both backends.
      it.skipIf(!hasParityModels)(
        `${name} on ${backend}: the official logits and the original's (<= 1e-5 relative) (needs ../shared/fixtures/parity)`,
        async () => {
          await useBackend(backend);
          const before = tf.memory().numTensors;
          const { fixture, model } = officialParityModel(name);
          const compiled = compileForInference(model);
          // cpu runs ~1 GFLOP/s: there the first sample and the compiled model only (the original's
          // parity on cpu is test/interop/parity.test.ts); on wasm both samples and both models.
          const n = backend === 'cpu' ? 1 : 2;
          const [x, official] = tf.tidy(() => [tf.slice(fixture.tensor('input.x'), 0, n), tf.slice(fixture.tensor('eval.logits'), 0, n)]);
          const ours = compiled.predict(x) as tf.Tensor;
          expect(maxRelative(ours, official)).toBeLessThanOrEqual(1e-5);
          if (backend === 'wasm') {
            const original = model.predict(x) as tf.Tensor;
            expect(maxRelative(ours, original)).toBeLessThanOrEqual(1e-5);
            original.dispose();
          }
          tf.dispose([x, official, ours]);
          model.dispose();
          compiled.dispose();
          expect(tf.memory().numTensors).toBe(before);
        },
        120_000,
      );
    }
  }
});

describe('compileForInference keeps the convolution formulation', () => {
  beforeAll(() => useBackend('cpu'));

  it("gives each folded block the model's convFormulation; 'conv2d' and 'matmul' models give the original logits", () => {
    const x = clips(2, 2, 8, 17, 3);
    const logits: number[][] = [];
    for (const convFormulation of ['conv2d', 'matmul'] as const) {
      const model = buildSke2Grid({ ...TINY, seed: 9, convFormulation });
      randomizeForInference(model, 7);
      const compiled = compileForInference(model);
      const blocks = compiled.layers.filter((l): l is FoldedGridConvBlock => l instanceof FoldedGridConvBlock);
      expect(blocks.map((b) => b.convFormulation)).toEqual([convFormulation, convFormulation, convFormulation]);
      expect(compare(model, compiled, x)).toBeLessThanOrEqual(1e-5);
      logits.push(Array.from(tf.tidy(() => (compiled.predict(x) as tf.Tensor).dataSync())));
      model.dispose();
      compiled.dispose();
    }
    const [conv, matmul] = logits;
    expect(maxRelativeOf(conv, matmul)).toBeLessThanOrEqual(1e-5);
    x.dispose();
  });
});

/** Max |a - b| / max |b| of two number lists. */
function maxRelativeOf(a: number[], b: number[]): number {
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

describe('compileForInference errors', () => {
  beforeAll(() => useBackend('cpu'));

  it('rejects what is not a Ske2Grid model, naming what it expected', () => {
    expect(() => compileForInference({} as tfl.LayersModel)).toThrow(/model: expected a tf.LayersModel built by buildSke2Grid, got "object"/);
    const plainInput = tfl.input({ shape: [4] });
    const plain = tfl.model({ inputs: plainInput, outputs: tfl.layers.dense({ units: 2 }).apply(plainInput) as tfl.SymbolicTensor });
    expect(() => compileForInference(plain)).toThrow(/expected a model built by buildSke2Grid \(with 'ske2grid' metadata\)/);

    // Right metadata and input, wrong layers.
    const input = tfl.input({ shape: [2, 8, 17, 3], name: 'skeletons' });
    const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    const impostor = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 3, name: 'logits' }).apply(flat) as tfl.SymbolicTensor });
    impostor.setUserDefinedMetadata({ [CONFIG_METADATA_KEY]: toPlainConfig(resolveConfig(TINY)) });
    expect(() => compileForInference(impostor)).toThrow(/model layer 'classifier': expected a Dense layer .*, got "no such layer"/);
    const wrongInput = buildSke2Grid({ ...TINY, frames: 6 });
    wrongInput.setUserDefinedMetadata({ [CONFIG_METADATA_KEY]: toPlainConfig(resolveConfig(TINY)) });
    expect(() => compileForInference(wrongInput)).toThrow(/model input: expected one input of shape \[null, 2, 8, 17, 3\]/);
    [plain, impostor, wrongInput].forEach((m) => m.dispose());
  });

  it('rejects a compiled model and bad options', () => {
    const model = buildSke2Grid(TINY);
    const compiled = compileForInference(model);
    expect(() => compileForInference(compiled)).toThrow(/model: expected a trainable Ske2Grid model .*already compiled for inference/);
    expect(() => compileForInference(model, { mapping: 'gather' })).toThrow(
      /options.mapping: expected 'auto' or 'matrix' \(this model's grid cells mix several joints\), got "gather"/,
    );
    expect(() => compileForInference(model, { mapping: 'fast' as never })).toThrow(/options.mapping: expected 'auto', 'matrix' or 'gather', got "fast"/);
    expect(() => compileForInference(model, { frames: 0 })).toThrow(/options.frames: expected a positive integer or null/);
    model.dispose();
    compiled.dispose();
  });

  it('names the weight that cannot be folded and leaks nothing', () => {
    const model = buildSke2Grid(TINY);
    const before = tf.memory().numTensors;
    const variance = (model.getLayer('block1') as unknown as { variable(n: string): tfl.LayerVariable }).variable('spatial_bn_moving_variance');
    const saved = tf.clone(variance.read());
    const negative = tf.fill([8], -1);
    variance.write(negative);
    negative.dispose();
    expect(() => compileForInference(model)).toThrow(/block1\/spatial_bn_moving_variance\[0\]: expected a value > -epsilon/);
    variance.write(saved);
    const kernel = (model.getLayer('block2') as unknown as { variable(n: string): tfl.LayerVariable }).variable('temporal_conv_kernel');
    const good = tf.clone(kernel.read());
    const nan = tf.fill(kernel.shape as number[], NaN);
    kernel.write(nan);
    nan.dispose();
    expect(() => compileForInference(model)).toThrow(/block2 setFolded temporalKernel\[0\]: expected a finite number, got NaN/);
    kernel.write(good);
    tf.dispose([saved, good]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
