import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/runCli.js';
import { ONNX_CLASS_NAMES_KEY } from '../../src/deploy/exportOnnx.js';
import { decodeOnnxModel } from '../../src/deploy/onnx/encodeOnnxModel.js';
import { maxRelative } from '../../src/interop/parityChecks.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { saveModel } from '../../src/node/fileIO.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), isTTY: false };
}

describe('ske2grid export-onnx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ske2grid-export-onnx-'));
  const modelDir = join(dir, 'model');
  let model: tfl.LayersModel;

  beforeAll(async () => {
    await useBackend('cpu');
    model = buildSke2Grid({ ...TINY, seed: 21 });
    await saveModel(model, modelDir);
  });
  afterAll(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes an ONNX file that onnxruntime-node runs to the model logits, with the class names from a file', async () => {
    const classes = join(dir, 'classes.txt');
    writeFileSync(classes, 'wave\nsit\n\nwalk\n');
    const out = join(dir, 'model.onnx');
    const io = capture();
    expect(await runCli(['export-onnx', modelDir, '--out', out, '--classes', classes], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^wrote .*model\.onnx \([\d.]+ KiB\): skeletons \[batch, 2, frames, 17, 3\] -> logits \[batch, 3\], grid 5x5$/);
    const bytes = new Uint8Array(readFileSync(out));
    const meta = (decodeOnnxModel(bytes).metadataProps ?? []).find((p) => p.key === ONNX_CLASS_NAMES_KEY);
    expect(JSON.parse(meta?.value ?? 'null')).toEqual(['wave', 'sit', 'walk']);
    const x = tf.randomNormal([2, 2, 8, 17, 3], 0, 1, 'float32', 5);
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({ skeletons: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
    await session.release();
    const expected = model.predict(x) as tf.Tensor;
    const got = tf.tensor(result.logits.data as Float32Array, result.logits.dims as number[]);
    expect(maxRelative(got, expected)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, expected, got]);
  });

  it('refuses a missing --out, a wrong class count and bad --frames (exit 2), and a missing model (exit 1)', async () => {
    let io = capture();
    expect(await runCli(['export-onnx', modelDir], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/^ske2grid export-onnx: expected --out FILE \(the ONNX file to write\), got none/);
    const classes = join(dir, 'two.json');
    writeFileSync(classes, '["a", "b"]');
    io = capture();
    expect(await runCli(['export-onnx', modelDir, '--out', join(dir, 'x.onnx'), '--classes', classes], io)).toBe(2);
    expect(io.stderr[0]).toContain("--classes: expected 3 class names (the model's classes), got 2");
    io = capture();
    expect(await runCli(['export-onnx', modelDir, '--out', join(dir, 'x.onnx'), '--frames', '0'], io)).toBe(2);
    expect(io.stderr[0]).toContain('--frames: expected a positive integer, got 0');
    io = capture();
    expect(await runCli(['export-onnx', join(dir, 'no-such-model'), '--out', join(dir, 'x.onnx')], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('no-such-model');
  });
});
