import { fail } from '../../errors.js';
import { checkSequence, type SkeletonSequence } from '../skeletonSequence.js';

/** Options of {@link normalize2D}. */
export interface Normalize2DOptions {
  /**
   * Image size `[height, width]` in pixels; default the sequence's `imageShape`, else `[1080, 1920]`
   * (the reference's default).
   */
  imageShape?: readonly [number, number];
  /**
   * `'reference'` (default): PYSKL `PreNormalize2D` as shipped with Ske2Grid, no masking, so a joint
   * stored as (0, 0) becomes (-1, -1). `'masked'`: PYSKL HEAD behaviour, joints with
   * `score <= threshold` are set to (0, 0) after normalising; a sequence without scores treats
   * joints stored with all coordinates exactly 0 as the masked ones.
   */
  mode?: 'reference' | 'masked';
  /** Score at or below which a joint is masked in `'masked'` mode; default 0.01. */
  threshold?: number;
}

/**
 * Image-size normalisation of pixel coordinates: `x <- (x - w/2) / (w/2)`, `y <- (y - h/2) / (h/2)`
 * (float32 arithmetic like the reference), other channels unchanged; on-image points land in [-1, 1).
 * Shapes, scores and metadata are kept. See {@link Normalize2DOptions} for the image size and masking.
 *
 * @example
 * ```ts
 * import { normalize2D, type SkeletonSequence } from 'ske2grid';
 * declare const seq: SkeletonSequence; // COCO-17 pixels of a 1920 x 1080 video: [M][T][17][2] + score
 * const normalised = normalize2D(seq, { imageShape: [1080, 1920] }); // (960, 540) -> (0, 0); mode 'reference'
 * ```
 */
export function normalize2D(seq: SkeletonSequence, options: Normalize2DOptions = {}): SkeletonSequence {
  checkSequence(seq);
  if (seq.dims < 2) fail('sequence.dims', 'at least 2 (x, y)', seq.dims);
  const shape = options.imageShape ?? seq.imageShape ?? ([1080, 1920] as const);
  const which = options.imageShape !== undefined ? 'options.imageShape' : 'sequence.imageShape';
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)) {
    fail(which, '[height, width] with positive sizes', shape);
  }
  const mode = options.mode ?? 'reference';
  if (mode !== 'reference' && mode !== 'masked') fail('options.mode', "'reference' or 'masked'", mode);
  const threshold = options.threshold ?? 0.01;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) fail('options.threshold', 'a finite number', threshold);

  const halfH = Math.fround(shape[0] / 2);
  const halfW = Math.fround(shape[1] / 2);
  const { dims } = seq;
  const keypoint = Float32Array.from(seq.keypoint);
  const points = seq.persons * seq.frames * seq.joints;
  for (let p = 0; p < points; p++) {
    const i = p * dims;
    let masked = false;
    if (mode === 'masked') {
      masked = seq.score ? seq.score[p] <= threshold : isZeroPoint(seq.keypoint, i, dims);
    }
    if (masked) {
      keypoint[i] = 0;
      keypoint[i + 1] = 0;
    } else {
      keypoint[i] = Math.fround(keypoint[i] - halfW) / halfW;
      keypoint[i + 1] = Math.fround(keypoint[i + 1] - halfH) / halfH;
    }
  }
  return { ...seq, keypoint, score: seq.score ? Float32Array.from(seq.score) : undefined };
}

function isZeroPoint(a: Float32Array, i: number, dims: number): boolean {
  for (let c = 0; c < dims; c++) if (a[i + c] !== 0) return false;
  return true;
}
