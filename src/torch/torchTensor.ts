import type { TorchDtype } from './torchDtypes.js';

/**
 * Element storage of a {@link TorchTensor}: float32 -> Float32Array, float64 -> Float64Array,
 * float16 and bfloat16 -> Float32Array (exact widening), int64 -> Float64Array (values beyond
 * +-(2^53 - 1) refused) or BigInt64Array (option `int64: 'bigint'`), int32/int16/int8 ->
 * Int32Array/Int16Array/Int8Array, uint8 -> Uint8Array, bool -> Uint8Array of 0/1.
 */
export type TorchTensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/**
 * A tensor of a PyTorch checkpoint as plain data: dtype, shape and `product(shape)` elements in
 * row-major order, whatever the strides and storage offset it was stored with (views are copied
 * out). Its `shape` and `data` make it a `StateDictTensor`, so a state dict read from a `.pth`
 * goes straight into `loadOfficialWeights`.
 *
 * @example
 * ```ts
 * import { TorchTensor } from 'ske2grid';
 * const t = new TorchTensor('float32', [2, 2], new Float32Array([1, 2, 3, 4]));
 * t.data[2]; // 3: row 1, column 0
 * ```
 */
export class TorchTensor {
  /** Always `'torch.Tensor'` (tells a tensor from other values of a checkpoint). */
  readonly kind = 'torch.Tensor';

  constructor(
    /** Element type. */
    readonly dtype: TorchDtype,
    /** Dimensions; `[]` for a 0-d tensor (one element). */
    readonly shape: number[],
    /** The elements in row-major order; see {@link TorchTensorData}. */
    readonly data: TorchTensorData,
  ) {}

  /** Number of elements (`product(shape)`, 1 for a 0-d tensor). */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/**
 * Whether `v` is a {@link TorchTensor}.
 *
 * @example
 * ```ts
 * import { isTorchTensor, readTorchCheckpoint } from 'ske2grid';
 * declare const bytes: Uint8Array; // a .pth file
 * const value = readTorchCheckpoint(bytes);
 * if (isTorchTensor(value)) console.log(value.dtype, value.shape); // a file holding one tensor
 * ```
 */
export function isTorchTensor(v: unknown): v is TorchTensor {
  return v instanceof TorchTensor;
}
