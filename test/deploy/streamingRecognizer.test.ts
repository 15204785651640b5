import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileForInference } from '../../src/deploy/compileInference.js';
import { StreamingRecognizer } from '../../src/deploy/streamingRecognizer.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

const M = 2;
const V = 17;
const C = 3;
const FRAME = M * V * C;

/** Frame `f` of a deterministic stream: value `f + m/10 + v/1000 + c/100000` (every entry says where it came from). */
function frameOf(f: number): Float32Array {
  const out = new Float32Array(FRAME);
  for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) for (let c = 0; c < C; c++) out[(m * V + v) * C + c] = Math.sin(f) + m / 10 + v / 1000 + c / 100000;
  return out;
}

/** The model input `[M, T, V, C]` (flat) made of the given frames (each `[M][V][C]`), oldest first. */
function windowOf(frames: Float32Array[]): Float32Array {
  const t = frames.length;
  const out = new Float32Array(M * t * V * C);
  frames.forEach((frame, p) => {
    for (let m = 0; m < M; m++) out.set(frame.subarray(m * V * C, (m + 1) * V * C), (m * t + p) * V * C);
  });
  return out;
}

/** softmax(model.predict(window)) computed directly. */
function directProbabilities(model: tfl.LayersModel, frames: Float32Array[]): number[] {
  return tf.tidy(() => Array.from(tf.softmax(model.predict(tf.tensor(windowOf(frames), [1, M, frames.length, V, C])) as tf.Tensor).dataSync()));
}

for (const backend of ['cpu', 'wasm']) {
  describe(`StreamingRecognizer on ${backend}`, () => {
    let model: tfl.LayersModel;
    let compiled: tfl.LayersModel;
    beforeAll(async () => {
      await useBackend(backend);
      model = buildSke2Grid({ ...TINY, seed: 11 });
      compiled = compileForInference(model);
    });
    afterAll(() => {
      model.dispose();
      compiled.dispose();
    });

    it('keeps the last T frames in time order after the ring buffer wraps around', () => {
      const rec = new StreamingRecognizer(model, { every: 1000 });
      expect(rec.currentWindow()).toBeNull();
      const frames = Array.from({ length: 21 }, (_, f) => frameOf(f));
      frames.slice(0, 7).forEach((f) => rec.push(f));
      expect(rec.currentWindow()).toBeNull(); // warm-up 'wait': fewer than T = 8 frames
      frames.slice(7).forEach((f) => rec.push(f));
      expect(rec.framesSeen).toBe(21);
      expect(rec.currentWindow()).toEqual(windowOf(frames.slice(13, 21)));
      rec.dispose();
    });

    it('predicts every k frames once the window is full, or from the first frame with a padding warm-up', () => {
      const seen = (warmup: 'wait' | 'zeros' | 'repeat-first') => {
        const calls: number[] = [];
        const rec = new StreamingRecognizer(compiled, { every: 3, warmup, onPrediction: (_p, i) => calls.push(i) });
        const returned: number[] = [];
        for (let f = 0; f < 20; f++) if (rec.push(frameOf(f))) returned.push(f);
        expect(calls).toEqual(returned);
        rec.dispose();
        return returned;
      };
      expect(seen('wait')).toEqual([7, 10, 13, 16, 19]);
      expect(seen('zeros')).toEqual([0, 3, 6, 9, 12, 15, 18]);
      expect(seen('repeat-first')).toEqual([0, 3, 6, 9, 12, 15, 18]);
      const defaults = new StreamingRecognizer(model);
      expect([defaults.windowFrames, defaults.every, defaults.warmup, defaults.numClasses, defaults.frameLength]).toEqual([8, 2, 'wait', 3, FRAME]);
      defaults.dispose();
    });

    for (const which of ['original', 'compiled'] as const) {
      it(`returns exactly softmax(model.predict(window)) for the ${which} model, also after wrap-around and reset`, () => {
        const net = which === 'original' ? model : compiled;
        const rec = new StreamingRecognizer(net, { every: 5 });
        const frames = Array.from({ length: 30 }, (_, f) => frameOf(f));
        let predictions = 0;
        frames.forEach((frame, f) => {
          const p = rec.push(frame);
          if (!p) return;
          predictions++;
          expect(p.length).toBe(3);
          expect(Array.from(p)).toEqual(directProbabilities(net, frames.slice(f - 7, f + 1)));
          expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        });
        expect(predictions).toBe(5); // frames 7, 12, 17, 22, 27
        rec.reset();
        expect(rec.framesSeen).toBe(0);
        const later = frames.slice(10, 18);
        const results = later.map((f) => rec.push(f));
        expect(results.slice(0, 7)).toEqual(Array(7).fill(null));
        expect(Array.from(results[7]!)).toEqual(directProbabilities(net, later));
        rec.dispose();
      });
    }

    it('pads the first windows with zeros or the first frame, as a direct predict on the padded window', () => {
      const frames = [frameOf(0), frameOf(1), frameOf(2)];
      const zeros = new StreamingRecognizer(compiled, { every: 2, warmup: 'zeros' });
      const first = new StreamingRecognizer(compiled, { every: 2, warmup: 'repeat-first' });
      const pz = frames.map((f) => zeros.push(f));
      const pf = frames.map((f) => first.push(f));
      const blank = new Float32Array(FRAME);
      expect(Array.from(pz[2]!)).toEqual(directProbabilities(compiled, [...Array(5).fill(blank), ...frames]));
      expect(Array.from(pf[2]!)).toEqual(directProbabilities(compiled, [...Array(5).fill(frames[0]), ...frames]));
      expect(zeros.currentWindow()).toEqual(windowOf([...Array(5).fill(blank), ...frames]));
      zeros.dispose();
      first.dispose();
    });

    it('applies preprocess in place to its own copy, not to the caller frame', () => {
      const centred = new StreamingRecognizer(model, {
        every: 8,
        preprocess: (frame) => {
          for (let i = 0; i < frame.length; i++) frame[i] -= 1;
        },
      });
      const frames = Array.from({ length: 8 }, (_, f) => frameOf(f));
      const copies = frames.map((f) => Float32Array.from(f));
      let p: Float32Array | null = null;
      for (const f of frames) p = centred.push(f);
      expect(frames).toEqual(copies);
      const shifted = frames.map((f) => f.map((x) => x - 1));
      expect(centred.currentWindow()).toEqual(windowOf(shifted));
      expect(Array.from(p!)).toEqual(directProbabilities(model, shifted));
      centred.dispose();
    });

    it('pushAsync gives the same probabilities as push', async () => {
      const syncRec = new StreamingRecognizer(compiled, { every: 4 });
      const asyncRec = new StreamingRecognizer(compiled, { every: 4 });
      for (let f = 0; f < 16; f++) {
        const a = syncRec.push(frameOf(f));
        const b = await asyncRec.pushAsync(frameOf(f));
        expect(b === null ? null : Array.from(b)).toEqual(a === null ? null : Array.from(a));
      }
      syncRec.dispose();
      asyncRec.dispose();
    });

    it('works with a model that accepts any clip length (windowFrames given)', () => {
      const anyLength = compileForInference(model, { frames: null });
      const rec = new StreamingRecognizer(anyLength, { windowFrames: 5, every: 1 });
      const frames = Array.from({ length: 6 }, (_, f) => frameOf(f));
      const out = frames.map((f) => rec.push(f));
      expect(out.slice(0, 4)).toEqual(Array(4).fill(null));
      expect(Array.from(out[5]!)).toEqual(directProbabilities(anyLength, frames.slice(1)));
      rec.dispose();
      anyLength.dispose();
    });

    it('creates no tensor over 1000 pushes', () => {
      const rec = new StreamingRecognizer(compiled, { every: 5 });
      const frame = frameOf(3);
      rec.push(frame);
      const before = tf.memory().numTensors;
      let predictions = 0;
      for (let f = 0; f < 1000; f++) {
        if (rec.push(frame)) predictions++;
        if (f % 100 === 0) expect(tf.memory().numTensors).toBe(before);
      }
      expect(predictions).toBe(199); // the window fills at push 8: predictions at pushes 8, 13, ..., 998 (1001 pushes in all)
      expect(tf.memory().numTensors).toBe(before);
      rec.dispose();
    });
  });
}

describe('StreamingRecognizer errors', () => {
  let model: tfl.LayersModel;
  beforeAll(async () => {
    await useBackend('cpu');
    model = buildSke2Grid({ ...TINY, seed: 12 });
  });
  afterAll(() => model.dispose());

  it('rejects a frame of the wrong length or with non-finite values, naming what it expected', () => {
    const rec = new StreamingRecognizer(model, { preprocess: (f) => void (f[3] = f[0] > 100 ? NaN : f[3]) });
    expect(() => rec.push(new Float32Array(FRAME - 1))).toThrow(/frame: expected 102 values \(\[persons\]\[joints\]\[channels\]\), got "101 values"/);
    expect(() => rec.push(null as never)).toThrow(/frame: expected a Float32Array of 102 values/);
    const nan = new Float32Array(FRAME);
    nan[5] = NaN;
    expect(() => rec.push(nan)).toThrow(/frame\[5\] after preprocess: expected a finite number, got NaN/);
    const big = new Float32Array(FRAME).fill(200);
    expect(() => rec.push(big)).toThrow(/frame\[3\] after preprocess: expected a finite number, got NaN/);
    expect(rec.framesSeen).toBe(0); // rejected frames never enter the window
    rec.push(Array.from(new Float32Array(FRAME))); // plain arrays are accepted
    expect(rec.framesSeen).toBe(1);
    rec.dispose();
    expect(() => rec.push(new Float32Array(FRAME))).toThrow(/StreamingRecognizer: expected a live recognizer, got one that was disposed/);
  });

  it('rejects bad options and models', async () => {
    expect(() => new StreamingRecognizer(model, { windowFrames: 6 })).toThrow(/options.windowFrames: expected the model's 8 frames \(or leave it out\), got 6/);
    expect(() => new StreamingRecognizer(model, { every: 0 })).toThrow(/options.every: expected an integer >= 1, got 0/);
    expect(() => new StreamingRecognizer(model, { warmup: 'pad' as never })).toThrow(/options.warmup: expected 'wait', 'zeros' or 'repeat-first', got "pad"/);
    expect(() => new StreamingRecognizer(model, { preprocess: 3 as never })).toThrow(/options.preprocess: expected a function/);
    expect(() => new StreamingRecognizer({} as tfl.LayersModel)).toThrow(/StreamingRecognizer model: expected a tf.LayersModel, got "object"/);
    const anyLength = buildSke2Grid({ ...TINY, frames: null });
    expect(() => new StreamingRecognizer(anyLength)).toThrow(
      /options.windowFrames: expected a positive integer \(the model accepts clips of any length\), got undefined/,
    );
    anyLength.dispose();
    const input = tfl.input({ shape: [8, 17, 3] });
    const flat = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2 }).apply(tfl.layers.flatten().apply(input)) as tfl.SymbolicTensor });
    expect(() => new StreamingRecognizer(flat)).toThrow(/StreamingRecognizer model input: expected one input \[batch, persons, frames, joints, channels\]/);
    flat.dispose();
  });
});
