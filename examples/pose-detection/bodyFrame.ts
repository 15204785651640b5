/**
 * Puts detected keypoints into the coordinates the browser example's model was trained in. That model
 * learned from ske2grid's synthetic skeletons, which live in body units: the hip centre near (0, 0.05),
 * y pointing down, a torso (shoulder centre to hip centre) about 0.5 long, and a dropped joint stored as
 * (0, 0) with a low score. A model trained on real PYSKL 2D data would use `normalize2D` (image-size
 * normalisation) instead.
 */
import { fail } from '../../src/index.js';

/** Torso length (shoulder centre to hip centre) of the synthetic skeletons, in body units. */
export const SYNTHETIC_TORSO = 0.5;
/** Shoulder width of the synthetic skeletons, in body units. */
export const SYNTHETIC_SHOULDERS = 0.34;
/** Height of the hip centre of the synthetic skeletons (feet on the ground line), in body units. */
export const SYNTHETIC_HIP_Y = 0.05;

/** Options of {@link toBodyFrame}. */
export interface BodyFrameOptions {
  /** Keypoints with a lower score become (0, 0) (their score is kept); default 0.3. */
  minScore?: number;
}

const [L_SHOULDER, R_SHOULDER, L_HIP, R_HIP] = [5, 6, 11, 12];

/**
 * Rewrites one frame `[M][17][3]` (x, y in pixels, score) in place into body units, person by person:
 * origin at the hip centre (moved to y = {@link SYNTHETIC_HIP_Y}), scale from the torso length (or,
 * without visible hips, from the shoulder width, the hips assumed one torso below the shoulders).
 * Keypoints below `minScore` become (0, 0); a person whose size cannot be measured (it needs a visible
 * shoulder and hip, or both shoulders) becomes all zeros, an empty slot. Suits `StreamingRecognizer`'s
 * `preprocess` option.
 */
export function toBodyFrame(frame: Float32Array, options: BodyFrameOptions = {}): void {
  const minScore = options.minScore ?? 0.3;
  if (typeof minScore !== 'number' || !Number.isFinite(minScore)) fail('options.minScore', 'a finite number', minScore);
  if (!(frame instanceof Float32Array) || frame.length === 0 || frame.length % 51 !== 0) {
    fail('frame', 'a Float32Array of persons x 17 joints x 3 values (x, y, score)', frame instanceof Float32Array ? `${frame.length} values` : frame);
  }
  for (let base = 0; base < frame.length; base += 51) {
    const seen = (j: number) => frame[base + 3 * j + 2] >= minScore;
    const mid = (a: number, b: number): [number, number] | null => {
      const pts = [a, b].filter(seen).map((j) => [frame[base + 3 * j], frame[base + 3 * j + 1]]);
      if (pts.length === 0) return null;
      return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
    };
    const shoulders = mid(L_SHOULDER, R_SHOULDER);
    let hips = mid(L_HIP, R_HIP);
    let scale = 0;
    if (shoulders && hips) {
      scale = Math.hypot(shoulders[0] - hips[0], shoulders[1] - hips[1]) / SYNTHETIC_TORSO;
    } else if (shoulders && seen(L_SHOULDER) && seen(R_SHOULDER)) {
      const width = Math.hypot(
        frame[base + 3 * L_SHOULDER] - frame[base + 3 * R_SHOULDER],
        frame[base + 3 * L_SHOULDER + 1] - frame[base + 3 * R_SHOULDER + 1],
      );
      scale = width / SYNTHETIC_SHOULDERS;
      hips = [shoulders[0], shoulders[1] + SYNTHETIC_TORSO * scale];
    }
    for (let j = 0; j < 17; j++) {
      const i = base + 3 * j;
      if (!hips || !(scale > 0)) {
        frame[i] = frame[i + 1] = frame[i + 2] = 0;
      } else if (frame[i + 2] < minScore) {
        frame[i] = frame[i + 1] = 0;
      } else {
        frame[i] = (frame[i] - hips[0]) / scale;
        frame[i + 1] = (frame[i + 1] - hips[1]) / scale + SYNTHETIC_HIP_Y;
      }
    }
  }
}

/** Interleaves one frame of `poseFrameToKeypoints` (`keypoint` `[M][17][2]`, `score` `[M][17]`) into `[M][17][3]` (x, y, score). */
export function interleaveFrame(keypoint: Float32Array, score: Float32Array): Float32Array {
  if (keypoint.length !== 2 * score.length || score.length % 17 !== 0) {
    fail('keypoint, score', 'M*17*2 coordinates and M*17 scores', `${keypoint.length} coordinates and ${score.length} scores`);
  }
  const out = new Float32Array(score.length * 3);
  for (let k = 0; k < score.length; k++) {
    out[3 * k] = keypoint[2 * k];
    out[3 * k + 1] = keypoint[2 * k + 1];
    out[3 * k + 2] = score[k];
  }
  return out;
}
