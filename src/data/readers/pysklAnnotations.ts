import { Ske2GridError, describe, fail, requireInt } from '../../errors.js';
import { checkSequence, type SkeletonSequence } from '../skeletonSequence.js';
import { isNdArray, type NdArray } from '../../pickle/numpyArrays.js';
import { unpickle, type PickleValue, type UnpickleOptions } from '../../pickle/unpickle.js';

/** One clip of a PYSKL annotation pickle. */
export interface PysklAnnotation {
  /** Clip identifier (`frame_dir`), the name used by the split lists. */
  frameDir: string;
  /** Class index (`label`, 0-based). */
  label: number;
  /** Number of frames (`total_frames`), equal to `keypoint.frames`. */
  totalFrames: number;
  /**
   * The skeletons (`keypoint` `[M, T, V, C]` as float32, float16/float64 converted; `keypoint_score`
   * `[M, T, V]` as `score` when present), with `label`, `id` = frameDir and `imageShape` set. A clip
   * with no person (M = 0) gets one all-zero person, as PYSKL's FormatGCNInput pads it.
   */
  keypoint: SkeletonSequence;
  /** `img_shape` `[height, width]`, when present. */
  imageShape?: [number, number];
  /** `original_shape` `[height, width]`, when present. */
  originalShape?: [number, number];
}

/** A PYSKL annotation pickle: the split lists and the (possibly split-filtered) annotations. */
export interface PysklAnnotations {
  /** Split name -> `frame_dir` names (`xsub_train`, `xsub_val`, ...); `{}` for a pickle that is only a list of annotations. */
  split: Record<string, string[]>;
  /** The annotations in file order (only those of `options.split` when given). */
  annotations: PysklAnnotation[];
}

/** Options of {@link readPysklAnnotations}. */
export interface PysklAnnotationsOptions {
  /** Keep only the annotations whose `frame_dir` is listed in this split; default: keep all. */
  split?: string;
  /** Number of classes: every label must be below it; default: labels only checked to be integers >= 0. */
  numClasses?: number;
  /** Limits and number modes of the pickle reader; default {@link unpickle}'s defaults. */
  unpickle?: UnpickleOptions;
  /**
   * Largest expanded size of the kept annotations, in values: each counts {@link PYSKL_ANNOTATION_COST}
   * plus its keypoint and score values (a clip with no person at its padded size). An array that
   * several annotations reference counts once per reference, at its full size: float32 arrays stay
   * shared between those annotations (not copied), but every later transform of a clip makes its own
   * copy. Default: the pickle's byte length, which a pickle without shared references cannot exceed
   * (every stored value takes at least 2 bytes).
   */
  maxValues?: number;
}

/**
 * What one annotation counts towards {@link PysklAnnotationsOptions.maxValues} besides its keypoint and
 * score values: 16 (an annotation dict takes far more than 16 bytes in a pickle).
 *
 * @example
 * ```ts
 * import { PYSKL_ANNOTATION_COST } from 'ske2grid';
 * // 1000 one-person annotations of 100 frames x 17 joints x (2 coordinates + 1 score) count
 * const values = 1000 * (PYSKL_ANNOTATION_COST + 100 * 17 * 3); // towards options.maxValues
 * ```
 */
export const PYSKL_ANNOTATION_COST = 16;

/**
 * Reads a PYSKL annotation pickle (`dict(split=..., annotations=[...])`, or a bare list of
 * annotations) with the safe {@link unpickle} and validates every kept annotation: `frame_dir`,
 * `label`, `total_frames` and `keypoint` present; keypoint 4-D `[M, T, V, C]` with T >= 1 and
 * finite values; `keypoint_score` (if any) `[M, T, V]`; `total_frames` = T; labels in range. Errors
 * name the annotation by index and frame_dir. Defaults: every annotation kept, labels only checked to be
 * integers >= 0. The expanded size is bounded (`options.maxValues`, default the pickle's byte length):
 * an annotation referenced many times, or a huge clip with no person, is refused before anything is
 * converted.
 *
 * @example
 * ```ts
 * import { readPysklAnnotations } from 'ske2grid';
 * const bytes = new Uint8Array(await (await fetch('ntu60_hrnet.pkl')).arrayBuffer());
 * const { split, annotations } = readPysklAnnotations(bytes, { split: 'xsub_train', numClasses: 60 });
 * const first = annotations[0]?.keypoint; // [M][T][17][2] pixels + score [M][T][17], label, id = frame_dir
 * ```
 */
export function readPysklAnnotations(bytes: Uint8Array, options: PysklAnnotationsOptions = {}): PysklAnnotations {
  if (options.numClasses !== undefined) requireInt('readPysklAnnotations options.numClasses', options.numClasses, 1);
  if (options.split !== undefined && typeof options.split !== 'string') fail('readPysklAnnotations options.split', 'a split name', options.split);
  const maxValues = options.maxValues === undefined ? bytes?.length : requireInt('readPysklAnnotations options.maxValues', options.maxValues, 0);
  const root = unpickle(bytes, options.unpickle);
  let split: Record<string, string[]> = {};
  let list: PickleValue;
  if (root instanceof Map) {
    if (!root.has('annotations'))
      throw new Ske2GridError(`PYSKL pickle: expected a dict with "split" and "annotations", got keys ${describe([...root.keys()].map(String))}`);
    list = root.get('annotations') as PickleValue;
    if (root.has('split')) split = readSplit(root.get('split') as PickleValue);
  } else {
    list = root;
  }
  if (!Array.isArray(list)) bad('PYSKL pickle annotations', 'a list of dicts', typeName(list));
  let keep: Set<string> | undefined;
  if (options.split !== undefined) {
    const names = Object.keys(split);
    if (!Object.prototype.hasOwnProperty.call(split, options.split)) {
      fail('readPysklAnnotations options.split', names.length > 0 ? `one of ${describe(names)}` : 'no split (the pickle has none)', options.split);
    }
    keep = new Set(split[options.split]);
  }
  const annotations: PysklAnnotation[] = [];
  let values = 0;
  list.forEach((item, index) => {
    if (!(item instanceof Map)) bad(`annotations[${index}]`, 'a dict', typeName(item));
    const frameDir = item.get('frame_dir');
    if (typeof frameDir !== 'string') bad(`annotations[${index}].frame_dir`, 'a str', typeName(frameDir));
    if (keep !== undefined && !keep.has(frameDir)) return;
    // Counted before any value is converted or copied: shared references cannot expand unbounded.
    values += PYSKL_ANNOTATION_COST + expandedValues(item.get('keypoint')) + expandedValues(item.get('keypoint_score'));
    if (values > maxValues) {
      const source = options.maxValues === undefined ? `the pickle's byte length, options.maxValues` : 'options.maxValues';
      bad(
        'PYSKL pickle annotations',
        `at most ${maxValues} values in all (${source}; an array referenced by several annotations counts once per reference)`,
        `more by annotations[${index}] (${JSON.stringify(frameDir)})`,
      );
    }
    annotations.push(readAnnotation(item, `annotations[${index}] (${JSON.stringify(frameDir)})`, frameDir, options.numClasses));
  });
  return { split, annotations };
}

function readSplit(value: PickleValue): Record<string, string[]> {
  if (!(value instanceof Map)) bad('PYSKL pickle split', 'a dict of name -> list of frame_dir', typeName(value));
  const entries: [string, string[]][] = [];
  for (const [name, ids] of value) {
    if (typeof name !== 'string') bad('PYSKL pickle split name', 'a str', typeName(name));
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) bad(`PYSKL pickle split[${JSON.stringify(name)}]`, 'a list of str', typeName(ids));
    entries.push([name, [...(ids as string[])]]);
  }
  return Object.fromEntries(entries);
}

function readAnnotation(item: Map<PickleValue, PickleValue>, what: string, frameDir: string, numClasses: number | undefined): PysklAnnotation {
  for (const field of ['label', 'total_frames', 'keypoint']) {
    if (!item.has(field)) throw new Ske2GridError(`${what}: missing field "${field}"`);
  }
  const label = item.get('label');
  const bound = numClasses === undefined ? 'an integer >= 0' : `an integer in [0, ${numClasses})`;
  if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || (numClasses !== undefined && label >= numClasses)) {
    bad(`${what}.label`, bound, typeName(label));
  }
  const totalFrames = item.get('total_frames');
  if (typeof totalFrames !== 'number' || !Number.isInteger(totalFrames)) bad(`${what}.total_frames`, 'an int', typeName(totalFrames));

  const keypoint = item.get('keypoint');
  if (!isNdArray(keypoint) || keypoint.shape.length !== 4) {
    bad(`${what}.keypoint`, 'a 4-D numpy array [M, T, V, C]', isNdArray(keypoint) ? `shape ${describe(keypoint.shape)}` : typeName(keypoint));
  }
  const [m, frames, joints, dims] = keypoint.shape;
  if (frames < 1) bad(`${what}.keypoint`, 'at least 1 frame (T >= 1) in [M, T, V, C]', `shape ${describe(keypoint.shape)}`);
  if (joints < 1 || dims < 1) bad(`${what}.keypoint`, 'V >= 1 joints and C >= 1 coordinates in [M, T, V, C]', `shape ${describe(keypoint.shape)}`);
  if (totalFrames !== frames) fail(`${what}.total_frames`, `${frames} (T of keypoint ${describe(keypoint.shape)})`, totalFrames);

  const persons = Math.max(m, 1);
  const sequence: SkeletonSequence = {
    keypoint: m === 0 ? new Float32Array(frames * joints * dims) : toFloat32(keypoint, `${what}.keypoint`),
    persons,
    frames,
    joints,
    dims,
    label,
    id: frameDir,
  };
  if (item.has('keypoint_score')) {
    const score = item.get('keypoint_score');
    const expected = [m, frames, joints];
    if (!isNdArray(score) || score.shape.length !== 3 || score.shape.some((d, i) => d !== expected[i])) {
      bad(
        `${what}.keypoint_score`,
        `shape ${describe(expected)} ([M, T, V] of keypoint)`,
        isNdArray(score) ? `shape ${describe(score.shape)}` : typeName(score),
      );
    }
    sequence.score = m === 0 ? new Float32Array(frames * joints) : toFloat32(score, `${what}.keypoint_score`);
  }
  const annotation: PysklAnnotation = { frameDir, label, totalFrames, keypoint: sequence };
  const imageShape = readImageShape(item, 'img_shape', what);
  if (imageShape !== undefined) {
    annotation.imageShape = imageShape;
    sequence.imageShape = imageShape;
  }
  const originalShape = readImageShape(item, 'original_shape', what);
  if (originalShape !== undefined) annotation.originalShape = originalShape;
  checkSequence(sequence, what, numClasses); // finite values (names person, frame, joint, dim)
  return annotation;
}

/** Values an annotation array expands to (a clip with no person at its one padded person); 0 for anything else. */
function expandedValues(v: PickleValue | undefined): number {
  if (!isNdArray(v)) return 0;
  return v.shape.reduce((a, d, i) => a * (i === 0 ? Math.max(d, 1) : d), 1);
}

/** Array elements as a Float32Array (float32 data used as is; bool and 64-bit bigint data rejected). */
function toFloat32(a: NdArray, what: string): Float32Array {
  if (a.data instanceof Float32Array) return a.data;
  if (a.dtype === 'bool' || a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) {
    bad(what, 'a float or integer numpy array (int64 only with the int64: "number" reading)', `dtype ${a.dtype}`);
  }
  return Float32Array.from(a.data as ArrayLike<number>);
}

function readImageShape(item: Map<PickleValue, PickleValue>, field: string, what: string): [number, number] | undefined {
  if (!item.has(field)) return undefined;
  const v = item.get(field);
  const ok = (d: unknown) => typeof d === 'number' && Number.isInteger(d) && d > 0;
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0] as number, v[1] as number];
  if (isNdArray(v) && v.shape.length === 1 && v.shape[0] === 2 && ok(Number(v.data[0])) && ok(Number(v.data[1]))) return [Number(v.data[0]), Number(v.data[1])];
  return bad(`${what}.${field}`, '(height, width) of two positive ints', typeName(v));
}

/** Throws "`what`: expected X, got Y" with `got` already worded. */
function bad(what: string, expected: string, got: string): never {
  throw new Ske2GridError(`${what}: expected ${expected}, got ${got}`);
}

/** Python type name (or a short description) of a pickle value, for messages. */
function typeName(v: PickleValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (Array.isArray(v)) return Object.isFrozen(v) ? `tuple of ${v.length}` : `list of ${v.length}`;
  if (v instanceof Map) return 'dict';
  if (v instanceof Set) return 'set';
  if (v instanceof Uint8Array) return 'bytes';
  if (isNdArray(v)) return `numpy ${v.dtype} array of shape ${describe(v.shape)}`;
  if (typeof v === 'object') return 'numpy dtype';
  if (typeof v === 'string') return `str ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return `${typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v} ${String(v)}`;
}
