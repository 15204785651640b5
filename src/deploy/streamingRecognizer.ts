import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fail, failAs, requireInt } from '../errors.js';
import { LIMITS } from '../limits.js';

/**
 * What a {@link StreamingRecognizer} does before `windowFrames` frames have arrived: `'wait'` (no
 * prediction yet), `'zeros'` (the missing older frames are zeros) or `'repeat-first'` (the first
 * frame stands in for them).
 */
export type StreamingWarmup = 'wait' | 'zeros' | 'repeat-first';

/** Options of {@link StreamingRecognizer}. */
export interface StreamingRecognizerOptions {
  /** Frames per window (T), at most `LIMITS.maxWindowFrames`; default the model's frames, required when the model accepts any length. */
  windowFrames?: number;
  /**
   * Run the model every `every` frames; default a quarter of the window, rounded, at least 1
   * (75 % overlap: every 25 frames for T = 100). 1 runs it on every frame.
   */
  every?: number;
  /**
   * Per-frame preprocessing, in place, on the recognizer's own copy of the frame (a Float32Array of
   * M*V*C values laid out `[M][V][C]`) before it enters the window; default none.
   */
  preprocess?: (frame: Float32Array) => void;
  /** Before the window is full; default `'wait'`. See {@link StreamingWarmup}. */
  warmup?: StreamingWarmup;
  /** Called with every prediction: the class probabilities and the index of the newest frame in the window (0 = first frame since reset); default none. */
  onPrediction?: (probabilities: Float32Array, frameIndex: number) => void;
}

/**
 * Real-time recognition on a stream of skeleton frames with any Ske2Grid model (original or
 * compiled by {@link compileForInference}): `push` one frame `[M][V][C]` at a time into a
 * preallocated ring buffer (no tensor and no array is allocated per frame); every `every` frames
 * (once the window is full, or from the first frame with a padding warm-up) the last `windowFrames`
 * frames, oldest first, run through the model as one clip `[1, M, T, V, C]` and `push` returns the
 * softmax class probabilities `[K]` (otherwise `null`). The probabilities equal
 * `softmax(model.predict(window))` exactly. `pushAsync` reads them with `data()` instead of
 * `dataSync()` (no stall on GPU backends). The model is not owned: `dispose()` leaves it alone.
 *
 * @example
 * ```ts
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { StreamingRecognizer, argmax, compileForInference } from 'ske2grid';
 * declare const model: LayersModel, frames: Float32Array[]; // a trained model; frames of M*V*C values [M][V][C]
 * const onPrediction = (p: Float32Array) => console.log(argmax(p)); // class probabilities [K]
 * const recognizer = new StreamingRecognizer(compileForInference(model), { every: 10, onPrediction });
 * for (const frame of frames) recognizer.push(frame); // predicts every 10 frames once the window is full
 * ```
 */
export class StreamingRecognizer {
  /** Frames per window (T). */
  readonly windowFrames: number;
  /** Frames between two predictions. */
  readonly every: number;
  /** Warm-up behaviour. */
  readonly warmup: StreamingWarmup;
  /** Values per frame, M*V*C. */
  readonly frameLength: number;
  /** Persons per frame (M). */
  readonly persons: number;
  /** Number of classes (K). */
  readonly numClasses: number;
  private model: tfl.LayersModel | null;
  private readonly preprocess?: (frame: Float32Array) => void;
  private readonly onPrediction?: (probabilities: Float32Array, frameIndex: number) => void;
  private readonly inputShape: number[];
  /** Frame `f` lives in slot `f % T` (`[T][M*V*C]`). */
  private ring: Float32Array;
  private scratch: Float32Array;
  /** The model input, `[M][T][V*C]`, rebuilt before each prediction. */
  private window: Float32Array;
  private count = 0;
  private disposed = false;

  constructor(model: tfl.LayersModel, options: StreamingRecognizerOptions = {}) {
    if (!(model instanceof tfl.LayersModel)) fail('StreamingRecognizer model', 'a tf.LayersModel', model === null ? null : typeof model);
    const inShape = model.inputs.length === 1 ? model.inputs[0].shape : null;
    const [, persons, frames, joints, channels] = inShape ?? [];
    if (!inShape || inShape.length !== 5 || persons == null || joints == null || channels == null) {
      fail(
        'StreamingRecognizer model input',
        'one input [batch, persons, frames, joints, channels] with known persons, joints and channels',
        model.inputs.map((i) => i.shape),
      );
    }
    const outShape = model.outputs.length === 1 ? model.outputs[0].shape : null;
    if (!outShape || outShape.length !== 2 || outShape[1] == null) {
      fail(
        'StreamingRecognizer model output',
        'one output [batch, classes]',
        model.outputs.map((o) => o.shape),
      );
    }
    if (options.windowFrames === undefined && frames == null) {
      fail('options.windowFrames', 'a positive integer (the model accepts clips of any length)', undefined);
    }
    const windowFrames = options.windowFrames === undefined ? (frames as number) : requireInt('options.windowFrames', options.windowFrames, 1);
    if (windowFrames > LIMITS.maxWindowFrames)
      fail('options.windowFrames', `an integer in [1, ${LIMITS.maxWindowFrames}] (LIMITS.maxWindowFrames)`, windowFrames);
    if (frames != null && windowFrames !== frames) fail('options.windowFrames', `the model's ${frames} frames (or leave it out)`, windowFrames);
    const every = options.every === undefined ? Math.max(1, Math.round(windowFrames / 4)) : requireInt('options.every', options.every, 1);
    if (persons * joints * channels * windowFrames > LIMITS.maxActivationValues) {
      fail(
        'options.windowFrames',
        `a window of at most ${LIMITS.maxActivationValues} values (LIMITS.maxActivationValues)`,
        `${windowFrames} frames of ${persons * joints * channels} values`,
      );
    }
    const warmup = options.warmup ?? 'wait';
    if (!['wait', 'zeros', 'repeat-first'].includes(warmup)) fail('options.warmup', "'wait', 'zeros' or 'repeat-first'", warmup);
    if (options.preprocess !== undefined && typeof options.preprocess !== 'function')
      fail('options.preprocess', 'a function (frame: Float32Array) => void', typeof options.preprocess);
    if (options.onPrediction !== undefined && typeof options.onPrediction !== 'function')
      fail('options.onPrediction', 'a function', typeof options.onPrediction);

    this.model = model;
    this.windowFrames = windowFrames;
    this.every = every;
    this.warmup = warmup;
    this.persons = persons;
    this.frameLength = persons * joints * channels;
    this.numClasses = outShape[1];
    this.preprocess = options.preprocess;
    this.onPrediction = options.onPrediction;
    this.inputShape = [1, persons, windowFrames, joints, channels];
    this.ring = new Float32Array(windowFrames * this.frameLength);
    this.scratch = new Float32Array(this.frameLength);
    this.window = new Float32Array(windowFrames * this.frameLength);
  }

  /** Frames pushed since construction or the last {@link reset}. */
  get framesSeen(): number {
    return this.count;
  }

  /**
   * Adds one frame (`M*V*C` values laid out `[M][V][C]`); returns the class probabilities `[K]` when
   * this frame completes a step of `every` frames (see {@link StreamingRecognizerOptions}), else `null`.
   */
  push(frame: Float32Array | ArrayLike<number>): Float32Array | null {
    if (!this.accept(frame)) return null;
    const probabilities = this.predictWindow();
    const values = probabilities.dataSync() as Float32Array;
    probabilities.dispose();
    this.onPrediction?.(values, this.count - 1);
    return values;
  }

  /** As {@link push}, reading the probabilities with `data()` (no stall on GPU backends). */
  async pushAsync(frame: Float32Array | ArrayLike<number>): Promise<Float32Array | null> {
    if (!this.accept(frame)) return null;
    const frameIndex = this.count - 1;
    const probabilities = this.predictWindow();
    let values: Float32Array;
    try {
      values = (await probabilities.data()) as Float32Array;
    } finally {
      probabilities.dispose();
    }
    this.onPrediction?.(values, frameIndex);
    return values;
  }

  /**
   * A copy of the window the model would see now, oldest frame first, laid out `[M, T, V, C]`
   * (allocates; for inspection), or `null` while there is none (no frame yet, or fewer than T with warm-up `'wait'`).
   */
  currentWindow(): Float32Array | null {
    this.checkUsable();
    if (this.count === 0 || (this.warmup === 'wait' && this.count < this.windowFrames)) return null;
    this.assembleWindow();
    return this.window.slice();
  }

  /** Forgets every frame (the next push starts a new window); keeps the buffers. */
  reset(): void {
    this.checkUsable();
    this.count = 0;
  }

  /** Releases the buffers; the recognizer cannot be used afterwards. The model is not disposed. */
  dispose(): void {
    this.disposed = true;
    this.model = null;
    this.ring = this.scratch = this.window = new Float32Array(0);
  }

  /** Checks and stores one frame; true when a prediction is due now. */
  private accept(frame: Float32Array | ArrayLike<number>): boolean {
    this.checkUsable();
    const n = this.frameLength;
    if (frame == null || typeof frame !== 'object' || typeof (frame as ArrayLike<number>).length !== 'number') {
      fail('frame', `a Float32Array of ${n} values ([persons][joints][channels])`, frame === null ? null : typeof frame);
    }
    if (frame.length !== n) fail('frame', `${n} values ([persons][joints][channels])`, `${frame.length} values`);
    const s = this.scratch;
    for (let i = 0; i < n; i++) s[i] = frame[i];
    this.preprocess?.(s);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(s[i])) fail(`frame[${i}]${this.preprocess ? ' after preprocess' : ''}`, 'a finite number', s[i]);
    }
    this.ring.set(s, (this.count % this.windowFrames) * n);
    this.count++;
    const t = this.windowFrames;
    if (this.count < t && this.warmup === 'wait') return false;
    const first = this.warmup === 'wait' ? t : 1;
    return (this.count - first) % this.every === 0;
  }

  /** Writes the last T frames, oldest first, into `window` as `[M][T][V*C]`. */
  private assembleWindow(): void {
    const t = this.windowFrames;
    const n = this.frameLength;
    const perPerson = n / this.persons;
    const ring = this.ring;
    const win = this.window;
    for (let p = 0; p < t; p++) {
      const f = this.count - t + p;
      const missing = f < 0;
      const slot = missing ? 0 : f % t;
      for (let m = 0; m < this.persons; m++) {
        const dst = (m * t + p) * perPerson;
        if (missing && this.warmup === 'zeros') {
          win.fill(0, dst, dst + perPerson);
          continue;
        }
        const src = slot * n + m * perPerson;
        for (let i = 0; i < perPerson; i++) win[dst + i] = ring[src + i];
      }
    }
  }

  /** Runs the model on the current window; the caller disposes the `[K]` probabilities. */
  private predictWindow(): tf.Tensor1D {
    this.assembleWindow();
    const model = this.model!;
    return tf.tidy(() => {
      const x = tf.tensor(this.window, this.inputShape);
      const logits = model.predict(x) as tf.Tensor;
      return tf.reshape(tf.softmax(logits), [this.numClasses]) as tf.Tensor1D;
    });
  }

  private checkUsable(): void {
    if (this.disposed) failAs('StreamingRecognizer', 'a live recognizer', 'one that was disposed');
  }
}
