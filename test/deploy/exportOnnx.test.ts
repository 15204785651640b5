import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileForInference } from '../../src/deploy/compileInference.js';
import { exportOnnx, ONNX_CLASS_NAMES_KEY, ONNX_CONFIG_KEY, ONNX_OPSET } from '../../src/deploy/exportOnnx.js';
import { decodeOnnxModel } from '../../src/deploy/onnx/encodeOnnxModel.js';
import { maxRelative } from '../../src/interop/parityChecks.js';
import { defineLayout } from '../../src/layouts/skeletonLayout.js';
import { buildSke2Grid, getModelConfig } from '../../src/model/buildSke2Grid.js';
import { toPlainConfig, type Ske2GridConfig } from '../../src/model/config.js';
import { growSke2Grid } from '../../src/model/growSke2Grid.js';
import { useBackend } from '../helpers/backends.js';
import { hasParityModels, officialParityModel, PARITY_MODELS, randomizeForInference } from '../helpers/parityModels.js';
import { TINY } from '../helpers/tiny.js';

/** Runs the ONNX bytes in onnxruntime-node on `x`; returns the logits as a tensor. */
async function runOnnx(bytes: Uint8Array, x: tf.Tensor, input = 'skeletons', output = 'logits'): Promise<tf.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = await session.run({ [input]: new ort.Tensor('float32', (await x.data()) as Float32Array, x.shape) });
    const y = result[output];
    return tf.tensor(y.data as Float32Array, y.dims as number[]);
  } finally {
    await session.release();
  }
}

/** Max relative difference of the ONNX logits against the tfjs model's on `x`, checking that the logits are far from constant. */
async function onnxAgainstTfjs(model: tfl.LayersModel, bytes: Uint8Array, x: tf.Tensor): Promise<number> {
  const expected = model.predict(x) as tf.Tensor;
  const got = await runOnnx(bytes, x);
  expect(got.shape).toEqual(expected.shape);
  const spread = tf.tidy(() => tf.sub(tf.max(expected), tf.min(expected)).dataSync()[0]);
  expect(spread).toBeGreaterThan(0.01);
  const rel = maxRelative(got, expected);
  tf.dispose([expected, got]);
  return rel;
}

const clips = (shape: number[], seed = 3) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe('exportOnnx in onnxruntime-node', () => {
  beforeAll(() => useBackend('wasm'));

  for (const name of PARITY_MODELS) {
    it.skipIf(!hasParityModels)(
      `${name}: the official weights give the tfjs logits (<= 1e-5 relative) and the official ones (needs ../shared/fixtures/parity)`,
      async () => {
        const { fixture, model } = officialParityModel(name);
        const before = tf.memory().numTensors;
        const bytes = await exportOnnx(model);
        expect(tf.memory().numTensors).toBe(before);
        const x = fixture.tensor('input.x');
        expect(await onnxAgainstTfjs(model, bytes, x)).toBeLessThanOrEqual(1e-5);
        const official = fixture.tensor('eval.logits');
        const got = await runOnnx(bytes, x);
        expect(maxRelative(got, official)).toBeLessThanOrEqual(1e-5);
        tf.dispose([x, official, got]);
        model.dispose();
      },
    );
  }

  it('a grown 8x8 model (5x5 -> 6x6 -> 7x7 -> 8x8, four stages) at two batch sizes and frame counts', async () => {
    let model = buildSke2Grid({ ...TINY, frames: null, seed: 11 });
    for (let i = 0; i < 3; i++) {
      const next = growSke2Grid(model);
      model.dispose();
      model = next;
    }
    randomizeForInference(model, 1);
    expect(getModelConfig(model).gridShape).toEqual([8, 8]);
    expect(getModelConfig(model).stages).toHaveLength(4);
    const bytes = await exportOnnx(model);
    for (const [n, t] of [
      [1, 8],
      [3, 5],
    ]) {
      const x = clips([n, 2, t, 17, 3], n);
      expect(await onnxAgainstTfjs(model, bytes, x)).toBeLessThanOrEqual(1e-5);
      x.dispose();
    }
    model.dispose();
  });

  it('a custom 6-joint layout, one person, 2-D, and a selection map (Gather) of an NTU-25 model', async () => {
    const layout = defineLayout({
      name: 'arm6',
      joints: ['torso', 'shoulder', 'elbow', 'wrist', 'hip', 'knee'],
      edges: [
        [1, 0],
        [2, 1],
        [3, 2],
        [4, 0],
        [5, 4],
      ],
      center: 0,
    });
    const custom: Ske2GridConfig = { ...TINY, layout, persons: 1, inChannels: 2, gridShape: [3, 3], seed: 12 };
    const model = buildSke2Grid(custom);
    randomizeForInference(model, 2);
    const bytes = await exportOnnx(model, { frames: 8 });
    const x = clips([2, 1, 8, 6, 2]);
    expect(await onnxAgainstTfjs(model, bytes, x)).toBeLessThanOrEqual(1e-5);

    const ntu = buildSke2Grid({ ...TINY, layout: 'ntu25', prior: 'none', seed: 13 });
    randomizeForInference(ntu, 3);
    const gather = await exportOnnx(ntu);
    const ops = (decodeOnnxModel(gather).graph as { node: { opType: string }[] }).node.map((n) => n.opType);
    expect(ops[0]).toBe('Gather');
    expect(ops).not.toContain('MatMul');
    const y = clips([2, 2, 8, 25, 3]);
    expect(await onnxAgainstTfjs(ntu, gather, y)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, y]);
    [model, ntu].forEach((m) => m.dispose());
  });

  it('exports a compiled model as it is, with the same logits as from the trainable one', async () => {
    const model = buildSke2Grid({ ...TINY, seed: 14 });
    randomizeForInference(model, 4);
    const compiled = compileForInference(model, { frames: null });
    const fromTrainable = await exportOnnx(model);
    const fromCompiled = await exportOnnx(compiled);
    const x = clips([2, 2, 8, 17, 3]);
    const [a, b] = [await runOnnx(fromTrainable, x), await runOnnx(fromCompiled, x)];
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
    tf.dispose([x, a, b]);
    [model, compiled].forEach((m) => m.dispose());
  });

  it('writes opset, names, dynamic dimensions and metadata', async () => {
    const model = buildSke2Grid({ ...TINY, seed: 15 });
    const bytes = await exportOnnx(model, { classNames: ['wave', 'sit', 'walk'], inputName: 'poses', outputName: 'scores' });
    const onnx = decodeOnnxModel(bytes) as {
      irVersion: number;
      opsetImport: { version: number }[];
      metadataProps: { key: string; value: string }[];
      graph: { input: { name: string; type: unknown }[]; output: { name: string; type: unknown }[] };
    };
    expect(onnx.opsetImport.map((o) => o.version)).toEqual([ONNX_OPSET]);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
    const meta = Object.fromEntries(onnx.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta[ONNX_CLASS_NAMES_KEY])).toEqual(['wave', 'sit', 'walk']);
    expect(JSON.parse(meta[ONNX_CONFIG_KEY])).toEqual(JSON.parse(JSON.stringify(toPlainConfig(getModelConfig(model)))));
    const dims = (v: { type: unknown }) =>
      (v.type as { tensorType: { shape: { dim: { dimValue?: number; dimParam?: string }[] } } }).tensorType.shape.dim.map((d) => d.dimParam ?? d.dimValue);
    expect(onnx.graph.input.map((i) => i.name)).toEqual(['poses']);
    expect(dims(onnx.graph.input[0])).toEqual(['batch', 2, 'frames', 17, 3]);
    expect(onnx.graph.output.map((o) => o.name)).toEqual(['scores']);
    expect(dims(onnx.graph.output[0])).toEqual(['batch', 3]);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['poses']);
    expect(session.outputNames).toEqual(['scores']);
    await session.release();

    const fixed = decodeOnnxModel(await exportOnnx(model, { frames: 8 })) as typeof onnx;
    expect(dims(fixed.graph.input[0])).toEqual(['batch', 2, 8, 17, 3]);
    const defaults = Object.fromEntries((decodeOnnxModel(await exportOnnx(model)) as typeof onnx).metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(defaults[ONNX_CLASS_NAMES_KEY])).toEqual(['class_0', 'class_1', 'class_2']);
    model.dispose();
  });

  it('refuses bad arguments with the argument named, before any work', async () => {
    const model = buildSke2Grid({ ...TINY, seed: 16 });
    const before = tf.memory().numTensors;
    await expect(exportOnnx(null as never)).rejects.toThrow('model: expected a tf.LayersModel built by buildSke2Grid, got null');
    await expect(exportOnnx(model, { classNames: ['a', 'b'] })).rejects.toThrow(
      'options.classNames: expected 3 strings (one per class of the model), got "2 entries"',
    );
    await expect(exportOnnx(model, { frames: 0 })).rejects.toThrow('options.frames: expected a positive integer or null (any length), got 0');
    await expect(exportOnnx(model, { inputName: '' })).rejects.toThrow('options.inputName: expected a non-empty string, got ""');
    await expect(exportOnnx(model, { inputName: 'x', outputName: 'x' })).rejects.toThrow(
      "options.outputName: expected a name other than the input's ('x'), got \"x\"",
    );
    await expect(exportOnnx(model, { mapping: 'gather' })).rejects.toThrow(/options.mapping: expected 'auto' or 'matrix'/);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => decodeOnnxModel(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(/decodeOnnxModel bytes: expected an ONNX model/);
    model.dispose();
  });
});
