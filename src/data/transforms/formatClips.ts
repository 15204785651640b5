import { fail, requireInt } from '../../errors.js';
import { checkSequence, type SkeletonSequence } from '../skeletonSequence.js';
import { selectPersons, type SelectPersonsOptions } from './selectPersons.js';

/** Options of {@link formatClips}. */
export interface FormatClipsOptions {
  /** Person slots M per clip; default 2 (the reference). */
  persons?: number;
  /** Clips the frames are split into (T must be divisible by it); default 1. */
  numClips?: number;
  /** How persons are kept and padded (see `selectPersons`); default `{ mode: 'zero', order: 'stored' }` (the reference). */
  personSelection?: SelectPersonsOptions;
}

/** Model-ready clips: `data` row-major with shape `[numClips, M, T / numClips, V, C]`. */
export interface FormattedClips {
  /** Values, row-major `[numClips][M][T / numClips][V][C]`. */
  data: Float32Array;
  /** `[numClips, M, T / numClips, V, C]`. */
  shape: [number, number, number, number, number];
  /** The sequence's class index, when known. */
  label?: number;
  /** The sequence's identifier, when known. */
  id?: string;
}

/**
 * PYSKL `FormatGCNInput`: a still-present `score` is appended as the last channel (C = dims + 1,
 * else C = dims), persons are cut or padded to `persons`, and the T frames (e.g. the `numClips * L`
 * frames of a multi-clip sample) are split into `numClips` consecutive clips, each the layout the
 * model consumes: `[numClips, M, T / numClips, V, C]`. Throws when T is not divisible by `numClips`.
 * Defaults: 2 persons, 1 clip.
 *
 * @example
 * ```ts
 * import { formatClips, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // [1][200][17][2] + score: 10 sampled clips of 20 frames, one after another
 * const { data, shape } = formatClips(seq, { numClips: 10 }); // shape [10, 2, 20, 17, 3]: score appended, person 2 zeros
 * ```
 */
export function formatClips(seq: SkeletonSequence, options: FormatClipsOptions = {}): FormattedClips {
  checkSequence(seq);
  const persons = requireInt('options.persons', options.persons ?? 2, 1);
  const numClips = requireInt('options.numClips', options.numClips ?? 1, 1);
  if (seq.frames % numClips !== 0) {
    fail('options.numClips', `a divisor of the sequence's ${seq.frames} frames`, numClips);
  }
  const s = selectPersons(seq, persons, options.personSelection);
  const len = s.frames / numClips;
  const channels = s.dims + (s.score ? 1 : 0);
  const data = new Float32Array(persons * s.frames * s.joints * channels);
  const points = s.joints;
  let o = 0;
  for (let clip = 0; clip < numClips; clip++) {
    for (let m = 0; m < persons; m++) {
      for (let k = 0; k < len; k++) {
        const t = clip * len + k;
        for (let v = 0; v < points; v++) {
          const p = (m * s.frames + t) * s.joints + v;
          for (let c = 0; c < s.dims; c++) data[o++] = s.keypoint[p * s.dims + c];
          if (s.score) data[o++] = s.score[p];
        }
      }
    }
  }
  const out: FormattedClips = { data, shape: [numClips, persons, len, s.joints, channels] };
  if (seq.label !== undefined) out.label = seq.label;
  if (seq.id !== undefined) out.id = seq.id;
  return out;
}
