import * as tf from '@tensorflow/tfjs-core';

/** Explicit zero padding of the two spatial axes: `[[top, bottom], [left, right]]`. */
export type SpatialPadding = [[number, number], [number, number]];

/**
 * Sizes of one zero-padded strided convolution (PyTorch `Conv2d` semantics): input `[n, h, w, cin]`,
 * filter `[kh, kw, cin, cout]`, `ph`/`pw` zeros on both sides, output `[n, oh, ow, cout]` with
 * `oh = floor((h + 2 ph - kh) / sh) + 1`.
 */
export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  cin: number;
  kh: number;
  kw: number;
  cout: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
}

/** The {@link ConvGeometry} of input/filter shapes, strides and symmetric padding (shapes assumed checked). */
export function convGeometry(xShape: number[], filterShape: number[], strides: [number, number], padding: [number, number]): ConvGeometry {
  const [n, h, w, cin] = xShape;
  const [kh, kw, , cout] = filterShape;
  const [sh, sw] = strides;
  const [ph, pw] = padding;
  return { n, h, w, cin, kh, kw, cout, sh, sw, ph, pw, oh: Math.floor((h + 2 * ph - kh) / sh) + 1, ow: Math.floor((w + 2 * pw - kw) / sw) + 1 };
}

/** `[[0, 0], [top, bottom], [left, right], [0, 0]]`, the explicit padding tfjs' conv2d takes. */
export function conv2dPad(p: SpatialPadding): [[number, number], [number, number], [number, number], [number, number]] {
  return [[0, 0], p[0], p[1], [0, 0]];
}

/**
 * The filter flipped in both spatial axes with its channel axes swapped, `[kh, kw, cout, cin]`: the
 * filter of the input gradient written as a forward convolution.
 */
export function flippedTransposedFilter(filter: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
}

/**
 * The output gradient `dy` `[n, oh, ow, cout]` prepared for the input gradient: stride-dilated
 * (entry `o` moved to `o * stride`, zeros in between) and the padding such that a stride-1
 * convolution of it with {@link flippedTransposedFilter} gives dL/dx `[n, h, w, cin]`. All pads
 * are rank 4 (rank-5 `PadV2` is broken on the WebGL and WebGPU backends of tfjs 4.22).
 */
export function dilatedOutputGradient(dy: tf.Tensor4D, g: ConvGeometry): { dilated: tf.Tensor4D; padding: SpatialPadding } {
  let dilated = dy;
  let rows = g.oh;
  let cols = g.ow;
  if (g.sh > 1 && g.oh > 1) {
    const [n, oh, ow, c] = dilated.shape;
    const spread = tf.pad(tf.reshape(dilated, [n, oh, 1, ow * c]), [
      [0, 0],
      [0, 0],
      [0, g.sh - 1],
      [0, 0],
    ]);
    dilated = tf.reshape(spread, [n, oh * g.sh, ow, c]);
    rows = oh * g.sh;
  }
  if (g.sw > 1 && g.ow > 1) {
    const [n, h, ow, c] = dilated.shape;
    const spread = tf.pad(tf.reshape(dilated, [n * h, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, g.sw - 1],
      [0, 0],
    ]);
    dilated = tf.reshape(spread, [n, h, ow * g.sw, c]);
    cols = ow * g.sw;
  }
  // Input position i receives dilated[i + p - j] * filter[j]: pad k-1-p before; after, whatever
  // reaches the last input row. The trailing zeros of the dilation can overshoot it (a stride
  // larger than k - p): crop them then.
  const afterRows = g.h + g.ph - rows;
  const afterCols = g.w + g.pw - cols;
  if (afterRows < 0 || afterCols < 0) {
    rows = Math.min(rows, g.h + g.ph);
    cols = Math.min(cols, g.w + g.pw);
    dilated = tf.slice(dilated, [0, 0, 0, 0], [dilated.shape[0], rows, cols, dilated.shape[3]]);
  }
  return {
    dilated,
    padding: [
      [g.kh - 1 - g.ph, g.h + g.ph - rows],
      [g.kw - 1 - g.pw, g.w + g.pw - cols],
    ],
  };
}

/**
 * Padding of the filter-gradient convolution (input `x` with batch and channels swapped, filter
 * `dy` dilated by the stride), and how many extra rows/columns its output has: when
 * `(h + 2 ph - kh)` is not a multiple of the stride, the last input rows reach no output, and the
 * bottom padding shrinks by that remainder; if it would become negative, the output has that
 * many rows too many (to be cropped: a slice of the small `[cin, kh, kw, cout]` result, not of `x`).
 */
export function filterGradientPadding(g: ConvGeometry): { padding: SpatialPadding; extraRows: number; extraCols: number } {
  const restH = (g.h + 2 * g.ph - g.kh) % g.sh;
  const restW = (g.w + 2 * g.pw - g.kw) % g.sw;
  return {
    padding: [
      [g.ph, Math.max(0, g.ph - restH)],
      [g.pw, Math.max(0, g.pw - restW)],
    ],
    extraRows: Math.max(0, restH - g.ph),
    extraCols: Math.max(0, restW - g.pw),
  };
}

/** One output phase of a strided convolution's input gradient (see {@link inputGradientPhases}). */
export interface InputGradientPhase {
  /** Filter rows (taps along H) that reach input rows `q * sh + r` of this phase; empty: the phase gets zero gradient. */
  taps: number[];
  /** Zero padding of `dy` along H, `[before, after]`, for a stride-1 convolution with these taps flipped. */
  padding: [number, number];
}

/**
 * The input gradient of a convolution with stride `sh > 1` along H (stride 1 along W) split by
 * phase: input row `h = q * sh + r` only receives filter rows `k = (r + ph) mod sh, + sh, ...`,
 * so each phase `r` is a stride-1 convolution of the undilated `dy` with those taps, and the
 * phases interleave (`rows` rows each, `rows * sh >= h`). Compared with convolving the
 * stride-dilated `dy`, this skips the multiplications by the inserted zeros (half of them for
 * stride 2). Returns null where it does not apply (stride 1, a single output row, strides along
 * W, a stride larger than the kernel, or a phase that would need negative padding).
 */
export function inputGradientPhases(g: ConvGeometry): { phases: InputGradientPhase[]; rows: number } | null {
  if (g.sh === 1 || g.sw !== 1 || g.oh === 1 || g.sh > g.kh) return null;
  const rows = Math.ceil(g.h / g.sh);
  const phases: InputGradientPhase[] = [];
  for (let r = 0; r < g.sh; r++) {
    const first = (r + g.ph) % g.sh;
    const taps: number[] = [];
    for (let k = first; k < g.kh; k += g.sh) taps.push(k);
    // dx[q * sh + r] = sum_j dy[q + shift - j] * filter[taps[j]], shift = (r + ph - first) / sh.
    const shift = (r + g.ph - first) / g.sh;
    const before = taps.length - 1 - shift;
    const after = rows + shift - g.oh;
    if (taps.length > 0 && (before < 0 || after < 0)) return null;
    phases.push({ taps, padding: [before, after] });
  }
  return { phases, rows };
}
