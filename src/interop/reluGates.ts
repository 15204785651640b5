import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../errors.js';

/**
 * One ReLU unit of a network: which ReLU op (its place in the forward pass) and which entry of
 * that op's input, with the input value (the pre-activation) the port computed there.
 */
export interface ReluUnit {
  /** Index of the ReLU op in forward order (0 = the first ReLU the network applies). */
  site: number;
  /** Row-major index into that op's input. */
  index: number;
  /** Shape of that op's input. */
  shape: number[];
  /** The pre-activation (the ReLU's input) at that entry. */
  value: number;
}

/** What {@link withReluGates} records and changes during one backward pass. */
export interface ReluGateOptions {
  /** Units whose gate (1 when the input is > 0, else 0) is inverted in the backward pass; default none. */
  flip?: readonly Pick<ReluUnit, 'site' | 'index'>[];
  /**
   * Per ReLU op and per entry of its first axis (the person-sample of a Ske2Grid block), record
   * this many inputs nearest zero; default 0 (nothing recorded).
   */
  nearestPerRow?: number;
  /** Number of ReLU ops the pass differentiates (from an earlier recording pass); required with `flip`. */
  sites?: number;
}

/** What {@link withReluGates} saw: the number of ReLU ops and the recorded units (nearest zero first). */
export interface ReluGateRecord {
  sites: number;
  nearest: ReluUnit[];
  /** Root mean square of each ReLU op's input, forward order (NaN when nothing was recorded). */
  scales: number[];
}

/**
 * Runs `fn` (which must run exactly one backward pass, e.g. a `tf.variableGrads`) with tfjs'
 * gradient of the `Relu` kernel replaced for the duration: the listed units have their gate
 * inverted (as if their input lay on the other side of zero; the forward value, |input|, is left
 * alone) and the inputs nearest zero are recorded. The standard gradient is restored afterwards,
 * also when `fn` throws. Sites are numbered in forward order from the backward visiting order
 * (reverse), so `fn` must differentiate every ReLU it applies exactly once.
 */
export function withReluGates<T>(options: ReluGateOptions, fn: () => T): { result: T; record: ReluGateRecord } {
  const gates = installReluGates(options);
  let result: T;
  try {
    result = fn();
  } finally {
    gates.restore();
  }
  return { result, record: gates.record() };
}

/**
 * {@link withReluGates} for a backward pass that awaits between its steps (so that a long pass lets
 * the event loop run): the replaced gradient stays registered until `fn` settles, so nothing else
 * may differentiate a ReLU meanwhile.
 */
export async function withReluGatesAsync<T>(options: ReluGateOptions, fn: () => Promise<T>): Promise<{ result: T; record: ReluGateRecord }> {
  const gates = installReluGates(options);
  let result: T;
  try {
    result = await fn();
  } finally {
    gates.restore();
  }
  return { result, record: gates.record() };
}

/** Registers the gated `Relu` gradient; `restore` puts tfjs' own back, `record` says what the pass saw. */
function installReluGates(options: ReluGateOptions): { restore: () => void; record: () => ReluGateRecord } {
  const original = tf.getGradient('Relu');
  const flips = options.flip ?? [];
  if (flips.length > 0 && options.sites == null)
    fail('withReluGates options.sites', 'the number of ReLU ops (from a recording pass) when units are flipped', options.sites);
  const keep = options.nearestPerRow ?? 0;
  const seen: { shape: number[]; units: { index: number; value: number }[]; rms: number }[] = [];
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [x] = saved;
      const site = (options.sites ?? 0) - 1 - seen.length;
      const data = keep > 0 ? (x.dataSync() as Float32Array) : null;
      seen.push({ shape: x.shape.slice(), units: data ? nearestZero(data, x.shape[0], keep) : [], rms: data ? rootMeanSquare(data) : NaN });
      const mine = flips.filter((u) => u.site === site);
      return {
        x: () =>
          tf.tidy(() => {
            const gate = tf.cast(tf.step(x), 'float32');
            if (mine.length === 0) return tf.mul(dy as tf.Tensor, gate);
            const mask = new Float32Array(x.size);
            for (const u of mine) mask[u.index] = 1;
            // gate' = gate + mask * (1 - 2 gate): inverted where mask is 1.
            const inverted = tf.add(gate, tf.mul(tf.tensor(mask, x.shape), tf.sub(1, tf.mul(2, gate))));
            return tf.mul(dy as tf.Tensor, inverted);
          }),
      };
    },
  });
  const record = (): ReluGateRecord => {
    const total = seen.length;
    if (options.sites != null && total !== options.sites) {
      fail('withReluGates fn', `a backward pass through ${options.sites} ReLU ops`, total);
    }
    const nearest: ReluUnit[] = [];
    seen.forEach((s, backwardSite) => {
      for (const u of s.units) nearest.push({ site: total - 1 - backwardSite, index: u.index, shape: s.shape, value: u.value });
    });
    nearest.sort((a, b) => Math.abs(a.value) - Math.abs(b.value));
    return { sites: total, nearest, scales: seen.map((s) => s.rms).reverse() };
  };
  return { restore: () => tf.registerGradient(original), record };
}

/** For each of `rows` equal slices of `data`, the `keep` entries with the smallest |value|. */
function nearestZero(data: Float32Array, rows: number, keep: number): { index: number; value: number }[] {
  const out: { index: number; value: number }[] = [];
  const size = data.length / rows;
  for (let r = 0; r < rows; r++) {
    const best: { index: number; value: number }[] = [];
    for (let i = r * size; i < (r + 1) * size; i++) {
      const a = Math.abs(data[i]);
      if (best.length < keep || a < Math.abs(best[best.length - 1].value)) {
        best.push({ index: i, value: data[i] });
        best.sort((p, q) => Math.abs(p.value) - Math.abs(q.value));
        if (best.length > keep) best.pop();
      }
    }
    out.push(...best);
  }
  return out;
}

/** sqrt(mean(x^2)) in float64. */
function rootMeanSquare(data: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
  return Math.sqrt(sum / Math.max(1, data.length));
}
