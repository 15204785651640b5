import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Reads tfjs logs (numbers or scalar tensors) as numbers. */
async function readLogs(logs?: tfl.Logs): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs ?? {})) {
    out[k] = (v as unknown) instanceof tf.Tensor ? (await (v as unknown as tf.Tensor).data())[0] : Number(v);
  }
  return out;
}

/** A snapshot of training progress. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  /** Batches done in this epoch and per epoch (null when unknown). */
  batch: number;
  batchesPerEpoch: number | null;
  /** Mean loss / accuracy of the batches so far in this epoch. */
  loss: number;
  accuracy: number | null;
  samplesPerSecond: number;
  /** Seconds left for the whole `fit` call (null when unknown). */
  etaSeconds: number | null;
  /** Set at the end of an epoch, with the epoch's logs (validation metrics included). */
  epochLogs?: Record<string, number>;
}

/**
 * `fit` callback reporting {@link ProgressState} after every batch and epoch to `onProgress`
 * (any UI); see {@link terminalProgress} for a terminal progress bar.
 *
 * @example
 * ```ts
 * import type * as tf from '@tensorflow/tfjs-core';
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { ProgressReporter, fitSke2Grid } from 'ske2grid';
 * declare const model: LayersModel, x: tf.Tensor, y: tf.Tensor;
 * const progress = new ProgressReporter((s) => console.log(`epoch ${s.epoch + 1}/${s.epochs} loss ${s.loss.toFixed(3)}`));
 * await fitSke2Grid(model, x, y, { epochs: 16, callbacks: [progress] });
 * ```
 */
export class ProgressReporter extends tfl.Callback {
  private start = 0;
  private samples = 0;
  private epoch = 0;
  private batches = 0;
  private lossSum = 0;
  private accSum = 0;
  private accCount = 0;

  constructor(private readonly onProgress: (state: ProgressState) => void) {
    super();
  }

  private get p() {
    return this.params as { epochs?: number; steps?: number | null; samples?: number; batchSize?: number; initialEpoch?: number };
  }

  private batchesPerEpoch(): number | null {
    const p = this.p;
    return p.steps ?? (p.samples != null && p.batchSize ? Math.ceil(p.samples / p.batchSize) : null);
  }

  override async onTrainBegin(): Promise<void> {
    this.start = performance.now();
    this.samples = 0;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.batches = 0;
    this.lossSum = 0;
    this.accSum = 0;
    this.accCount = 0;
  }

  override async onBatchEnd(_batch: number, rawLogs?: tfl.Logs): Promise<void> {
    const logs = await readLogs(rawLogs);
    this.batches++;
    this.samples += logs.size ?? this.p.batchSize ?? 0;
    this.lossSum += logs.loss ?? 0;
    const acc = logs.acc ?? logs.accuracy;
    if (acc != null) {
      this.accSum += Number(acc);
      this.accCount++;
    }
    this.onProgress(this.state());
  }

  override async onEpochEnd(_epoch: number, logs?: tfl.Logs): Promise<void> {
    this.onProgress({ ...this.state(), epochLogs: await readLogs(logs) });
  }

  private state(): ProgressState {
    const seconds = (performance.now() - this.start) / 1000;
    const rate = seconds > 0 ? this.samples / seconds : 0;
    const perEpoch = this.batchesPerEpoch();
    const epochs = this.p.epochs ?? 1;
    const done = (this.epoch - (this.p.initialEpoch ?? 0)) * (perEpoch ?? 0) + this.batches;
    const total = perEpoch != null ? perEpoch * (epochs - (this.p.initialEpoch ?? 0)) : null;
    const eta = total != null && done > 0 ? (seconds / done) * (total - done) : null;
    return {
      epoch: this.epoch,
      epochs,
      batch: this.batches,
      batchesPerEpoch: perEpoch,
      loss: this.batches > 0 ? this.lossSum / this.batches : NaN,
      accuracy: this.accCount > 0 ? this.accSum / this.accCount : null,
      samplesPerSecond: rate,
      etaSeconds: eta,
    };
  }
}

/**
 * Formats a progress state as one terminal line: epoch, a bar `width` characters wide (default 24),
 * loss, accuracy, validation accuracy, samples/s and ETA.
 *
 * @example
 * ```ts
 * import { formatProgress } from 'ske2grid';
 * const state = { epoch: 0, epochs: 2, batch: 5, batchesPerEpoch: 10, loss: 1.5, accuracy: 0.5, samplesPerSecond: 80, etaSeconds: 75 };
 * formatProgress(state, 10); // 'epoch 1/2 [=====>    ] loss 1.5000 acc 50.0% 80.0 samples/s ETA 1m15s'
 * ```
 */
export function formatProgress(s: ProgressState, width = 24): string {
  const frac = s.batchesPerEpoch ? Math.min(1, s.batch / s.batchesPerEpoch) : 0;
  const filled = Math.round(frac * width);
  const bar = `[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}]`;
  const eta =
    s.etaSeconds == null ? '--' : s.etaSeconds >= 60 ? `${Math.floor(s.etaSeconds / 60)}m${Math.round(s.etaSeconds % 60)}s` : `${Math.round(s.etaSeconds)}s`;
  const acc = s.accuracy == null ? '' : ` acc ${(s.accuracy * 100).toFixed(1)}%`;
  const val = s.epochLogs?.val_acc != null ? ` val_acc ${(s.epochLogs.val_acc * 100).toFixed(1)}%` : '';
  return `epoch ${s.epoch + 1}/${s.epochs} ${bar} loss ${s.loss.toFixed(4)}${acc}${val} ${s.samplesPerSecond.toFixed(1)} samples/s ETA ${eta}`;
}

/**
 * A terminal progress bar: rewrites one line per batch and keeps a line per epoch.
 * `write` is where text goes (e.g. `(t) => process.stdout.write(t)` in Node).
 *
 * @example
 * ```ts
 * import type * as tf from '@tensorflow/tfjs-core';
 * import type { LayersModel } from '@tensorflow/tfjs-layers';
 * import { fitSke2Grid, terminalProgress } from 'ske2grid';
 * declare const model: LayersModel, x: tf.Tensor, y: tf.Tensor;
 * await fitSke2Grid(model, x, y, { epochs: 16, callbacks: [terminalProgress((t) => process.stdout.write(t))] });
 * ```
 */
export function terminalProgress(write: (text: string) => void): ProgressReporter {
  return new ProgressReporter((s) => write(s.epochLogs ? `\r${formatProgress(s)}\n` : `\r${formatProgress(s)}`));
}
