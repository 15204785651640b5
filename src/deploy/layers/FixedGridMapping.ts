import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { fail, failAs } from '../../errors.js';
import { Ske2GridLayer, single, singleShape, type Kwargs, type LayerArgs, type Shape } from '../../layers/layerBase.js';

/** How a {@link FixedGridMapping} applies its map: a dense affine map per frame, or one joint per cell. */
export type GridMappingMode = 'matrix' | 'gather';

/** Arguments of {@link FixedGridMapping}. */
export interface FixedGridMappingArgs extends LayerArgs {
  /** Grid `[H, W]` the joints are mapped into. Required. */
  gridShape: [number, number];
  /** `'matrix'` (any joint -> cell matrix) or `'gather'` (each cell reads at most one joint); default `'matrix'`. */
  mode?: GridMappingMode;
}

/**
 * A fixed joint -> cell map in factored form: `out[r, c] = sum_v mixing[r, v] * (scale[v, c] * x[v, c] + shift[v, c])`
 * for cells `r < H*W`, joints `v < V`, coordinates `c < C` (all arrays row-major).
 */
export interface GridMappingParts {
  /** `[H*W, V]` joint -> cell matrix (the product of every UPT stage and GIT permutation). */
  mixing: ArrayLike<number>;
  /** `[V, C]` scale applied to each input coordinate before mixing (e.g. an inference-mode batch norm). */
  scale: ArrayLike<number>;
  /** `[V, C]` shift added after the scale. */
  shift: ArrayLike<number>;
}

/**
 * Inference-only map from skeletons to the grid: `[B, M, T, V, C]` -> `[B, M, T, H, W, C]`, an affine
 * map per frame with fixed (non-trainable) weights. Mode `'matrix'` holds `kernel` `[V*C, H*W*C]` and
 * `bias` `[H*W*C]` and runs one matMul (no transposes); mode `'gather'` holds `index` `[H*W]`, `scale`
 * and `shift` `[H*W, C]` and runs a gather plus an elementwise affine. Weights start at zero; write
 * them with {@link FixedGridMapping.setMapping}.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { FixedGridMapping } from 'ske2grid';
 * const map = new FixedGridMapping({ gridShape: [1, 2] }); // mode 'matrix'
 * const x = tf.tensor5d([[[[[1], [2]]]]]); // [B=1, M=1, T=1, V=2, C=1]
 * map.apply(x); // builds the (zero) weights
 * map.setMapping({ mixing: [0, 1, 1, 0], scale: [1, 1], shift: [0, 0] }); // now maps x to [1, 1, 1, 1, 2, 1] = [2, 1]
 * ```
 */
export class FixedGridMapping extends Ske2GridLayer {
  /** Registered class name. */
  static className = 'Ske2GridFixedGridMapping';
  readonly gridShape: [number, number];
  readonly mode: GridMappingMode;
  private joints = 0;
  private channels = 0;
  private w: Record<string, LayerVariable> = {};

  constructor(args: FixedGridMappingArgs) {
    super(args);
    const g = args.gridShape;
    if (!Array.isArray(g) || g.length !== 2 || !g.every((d) => Number.isInteger(d) && d >= 1)) {
      fail('FixedGridMapping gridShape', 'two positive integers [H, W]', g);
    }
    this.gridShape = [g[0], g[1]];
    this.mode = args.mode ?? 'matrix';
    if (this.mode !== 'matrix' && this.mode !== 'gather') fail('FixedGridMapping mode', "'matrix' or 'gather'", this.mode);
  }

  /** Number of grid cells H*W. */
  get cells(): number {
    return this.gridShape[0] * this.gridShape[1];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    if (shape.length !== 5 || shape[3] == null || shape[4] == null) {
      fail(`${this.name} input`, '[batch, persons, frames, joints, channels] with known joints and channels', shape);
    }
    this.joints = shape[3];
    this.channels = shape[4];
    const [v, c, r] = [this.joints, this.channels, this.cells];
    if (this.mode === 'matrix') {
      this.w.kernel = this.addNamedWeight('kernel', [v * c, r * c], 'zeros', false);
      this.w.bias = this.addNamedWeight('bias', [r * c], 'zeros', false);
    } else {
      this.w.index = this.addNamedWeight('index', [r], 'zeros', false);
      this.w.scale = this.addNamedWeight('scale', [r, c], 'zeros', false);
      this.w.shift = this.addNamedWeight('shift', [r, c], 'zeros', false);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [b, m, t, v, c] = x.shape;
      const [h, w] = this.gridShape;
      if (this.mode === 'matrix') {
        const rows = tf.reshape(x, [b * m * t, v * c]) as tf.Tensor2D;
        const y = tf.fused.matMul({ a: rows, b: this.w.kernel.read() as tf.Tensor2D, bias: this.w.bias.read() });
        return tf.reshape(y, [b, m, t, h, w, c]);
      }
      const index = tf.cast(this.w.index.read(), 'int32') as tf.Tensor1D;
      const picked = tf.gather(tf.reshape(x, [b * m * t, v, c]), index, 1);
      const y = tf.add(tf.mul(picked, this.w.scale.read()), this.w.shift.read());
      return tf.reshape(y, [b, m, t, h, w, c]);
    });
  }

  /**
   * Writes the map `out[r, c] = sum_v mixing[r, v] * (scale[v, c] * x[v, c] + shift[v, c])` into the
   * weights, computed in float64. In `'gather'` mode every row of `mixing` must have at most one
   * non-zero entry (see {@link isSelectionMatrix}). The layer must be built.
   */
  setMapping(parts: GridMappingParts): void {
    if (!this.built) failAs(this.name, 'a built layer (apply it to an input first)', 'an unbuilt one');
    const [v, c, r] = [this.joints, this.channels, this.cells];
    const check = (arg: keyof GridMappingParts, size: number, what: string) => {
      const a = parts?.[arg];
      if (a == null || a.length !== size) fail(`${this.name} setMapping ${arg}`, `${size} numbers (${what}, row-major)`, a == null ? a : `${a.length} numbers`);
      for (let i = 0; i < size; i++) if (!Number.isFinite(a[i])) fail(`${this.name} setMapping ${arg}[${i}]`, 'a finite number', a[i]);
    };
    check('mixing', r * v, `[${r}, ${v}]`);
    check('scale', v * c, `[${v}, ${c}]`);
    check('shift', v * c, `[${v}, ${c}]`);
    const { mixing, scale, shift } = parts;
    if (this.mode === 'matrix') {
      const kernel = new Float32Array(v * c * r * c);
      const bias = new Float64Array(r * c);
      for (let cell = 0; cell < r; cell++) {
        for (let j = 0; j < v; j++) {
          const a = mixing[cell * v + j];
          if (a === 0) continue;
          for (let k = 0; k < c; k++) {
            kernel[(j * c + k) * r * c + cell * c + k] = a * scale[j * c + k];
            bias[cell * c + k] += a * shift[j * c + k];
          }
        }
      }
      this.assign(this.w.kernel, tf.tensor2d(kernel, [v * c, r * c]));
      this.assign(this.w.bias, tf.tensor1d(Float32Array.from(bias)));
      return;
    }
    if (!isSelectionMatrix(mixing, r, v)) {
      fail(`${this.name} setMapping mixing`, "a matrix with at most one non-zero entry per row ('gather' mode)", 'a row with several');
    }
    const index = new Float32Array(r);
    const cellScale = new Float32Array(r * c);
    const cellShift = new Float32Array(r * c);
    for (let cell = 0; cell < r; cell++) {
      for (let j = 0; j < v; j++) {
        const a = mixing[cell * v + j];
        if (a === 0) continue;
        index[cell] = j;
        for (let k = 0; k < c; k++) {
          cellScale[cell * c + k] = a * scale[j * c + k];
          cellShift[cell * c + k] = a * shift[j * c + k];
        }
      }
    }
    this.assign(this.w.index, tf.tensor1d(index));
    this.assign(this.w.scale, tf.tensor2d(cellScale, [r, c]));
    this.assign(this.w.shift, tf.tensor2d(cellShift, [r, c]));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = singleShape(inputShape);
    return [s[0], s[1], s[2], this.gridShape[0], this.gridShape[1], s[4]];
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), gridShape: [...this.gridShape], mode: this.mode };
  }
}
serialization.registerClass(FixedGridMapping);

/**
 * True when every row of the row-major `[rows, cols]` matrix has at most one non-zero entry (a selection, possibly scaled).
 *
 * @example
 * ```ts
 * import { isSelectionMatrix } from 'ske2grid';
 * isSelectionMatrix([0, 2, 1, 0], 2, 2); // true: one non-zero per row (a scaled selection)
 * isSelectionMatrix([0.5, 0.5, 1, 0], 2, 2); // false: row 0 mixes two joints
 * ```
 */
export function isSelectionMatrix(matrix: ArrayLike<number>, rows: number, cols: number): boolean {
  for (let r = 0; r < rows; r++) {
    let nonZero = 0;
    for (let j = 0; j < cols; j++) if (matrix[r * cols + j] !== 0) nonZero++;
    if (nonZero > 1) return false;
  }
  return true;
}
