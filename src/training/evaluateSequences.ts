import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describe, fail, requireInt } from '../errors.js';
import { resolveIndices, sourceGet, sourceSize, type SequenceSource } from '../data/sequenceSource.js';
import type { FormattedClips } from '../data/transforms/formatClips.js';
import type { SkeletonSequence } from '../data/skeletonSequence.js';
import { averageClipScores, evaluateScores, type ScoreEvaluation } from './metrics.js';

/** Options of {@link evaluateSequences}. */
export interface EvaluateSequencesOptions {
  /** Sequence -> its test clips `[numClips, M, T, V, C]` (e.g. `pysklTestPipeline(...)`). Required. */
  clips: (seq: SkeletonSequence) => FormattedClips;
  /** Sample indices of the source to evaluate (a split); default all. */
  indices?: readonly number[];
  /** Sequences per forward pass (each contributes all its clips); default 16. */
  batchSize?: number;
  /** k values of top-k accuracy; default [1, 5]. */
  topK?: number[];
}

/** {@link ScoreEvaluation} plus the per-sample class probabilities (clip-averaged softmax), for ensembles. */
export interface SequenceEvaluation extends ScoreEvaluation {
  /** `[samples][K]` class probabilities, in the order of the evaluated indices. */
  probabilities: number[][];
  /** The labels, in the same order. */
  labels: number[];
}

/**
 * Evaluates `model` on sequences streamed from `source` with the reference test protocol: each
 * sequence's clips (e.g. 10 deterministic clips) are predicted and their softmax scores averaged;
 * then top-k (default k = 1 and 5), mean class accuracy and the confusion matrix, plus the
 * probabilities `[samples][K]`. Holds one batch (default 16 sequences) in memory at a time.
 *
 * @example
 * ```ts
 * import { datasetSplit, evaluateSequences, pysklTestPipeline } from 'ske2grid';
 * import { loadModel, openSkeletonDataset } from 'ske2grid/node';
 * const model = await loadModel('checkpoints/nw_ucla'); // trained on 32-frame clips, one person
 * const data = await openSkeletonDataset('datasets/nw_ucla');
 * const clips = pysklTestPipeline({ kind: '3d', clipLen: 32, persons: 1, normalize3D: { centerJoint: 1 } }); // 10 clips each
 * const result = await evaluateSequences(model, data, { clips, indices: datasetSplit(data.manifest, 'cross_view').test });
 * ```
 */
export async function evaluateSequences(model: LayersModel, source: SequenceSource, options: EvaluateSequencesOptions): Promise<SequenceEvaluation> {
  if (options == null || typeof options.clips !== 'function') fail('options.clips', 'a function (seq) => FormattedClips', options?.clips);
  const batchSize = requireInt('options.batchSize', options.batchSize ?? 16, 1);
  const indices = resolveIndices(options.indices, sourceSize(source));
  const probabilities: number[][] = [];
  const labels: number[] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const clips: FormattedClips[] = [];
    for (const i of indices.slice(start, start + batchSize)) {
      const seq = await sourceGet(source, i);
      if (!Number.isInteger(seq?.label)) fail(`sample ${i}${seq?.id ? ` (${seq.id})` : ''} label`, 'an integer class index', seq?.label);
      labels.push(seq.label as number);
      const c = options.clips(seq);
      if (clips.length > 0 && c.shape.slice(1).some((d, k) => d !== clips[0].shape[k + 1])) {
        fail(`clips of sample ${i}`, `the shape of the first sample's clips ${describe(clips[0].shape.slice(1))}`, c.shape.slice(1));
      }
      clips.push(c);
    }
    const [, ...clipShape] = clips[0].shape;
    const total = clips.reduce((n, c) => n + c.shape[0], 0);
    const data = new Float32Array((total * clips[0].data.length) / clips[0].shape[0]);
    let offset = 0;
    for (const c of clips) {
      data.set(c.data, offset);
      offset += c.data.length;
    }
    const x = tf.tensor(data, [total, ...clipShape]);
    const logits = model.predict(x) as tf.Tensor;
    const rows = (await logits.array()) as number[][];
    tf.dispose([x, logits]);
    let row = 0;
    for (const c of clips) {
      probabilities.push(averageClipScores([rows.slice(row, row + c.shape[0])])[0]);
      row += c.shape[0];
    }
  }
  return { ...evaluateScores(probabilities, labels, { topK: options.topK }), probabilities, labels };
}
