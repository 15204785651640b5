/** PyTorch element types as checkpoints store them: the storage class that names each, and its size. */

/** Element type of a PyTorch tensor read from or written to a checkpoint. */
export type TorchDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** One dtype: the storage class a checkpoint names for it (`torch.FloatStorage`) and bytes per element. */
export interface TorchDtypeInfo {
  /** The dtype. */
  dtype: TorchDtype;
  /** Storage class name in a checkpoint's pickle, e.g. `'torch.FloatStorage'`. */
  storage: string;
  /** Bytes per element. */
  itemSize: number;
}

/**
 * Every dtype this library reads and writes, in the storage classes PyTorch pickles for them.
 *
 * @example
 * ```ts
 * import { TORCH_DTYPES } from 'ske2grid';
 * TORCH_DTYPES.find((d) => d.dtype === 'bfloat16'); // { dtype: 'bfloat16', storage: 'torch.BFloat16Storage', itemSize: 2 }
 * ```
 */
export const TORCH_DTYPES: readonly TorchDtypeInfo[] = Object.freeze([
  { dtype: 'float32', storage: 'torch.FloatStorage', itemSize: 4 },
  { dtype: 'float64', storage: 'torch.DoubleStorage', itemSize: 8 },
  { dtype: 'float16', storage: 'torch.HalfStorage', itemSize: 2 },
  { dtype: 'bfloat16', storage: 'torch.BFloat16Storage', itemSize: 2 },
  { dtype: 'int64', storage: 'torch.LongStorage', itemSize: 8 },
  { dtype: 'int32', storage: 'torch.IntStorage', itemSize: 4 },
  { dtype: 'int16', storage: 'torch.ShortStorage', itemSize: 2 },
  { dtype: 'int8', storage: 'torch.CharStorage', itemSize: 1 },
  { dtype: 'uint8', storage: 'torch.ByteStorage', itemSize: 1 },
  { dtype: 'bool', storage: 'torch.BoolStorage', itemSize: 1 },
] as TorchDtypeInfo[]);

/** The entry of {@link TORCH_DTYPES} for a dtype name, or undefined. */
export function torchDtypeInfo(dtype: string): TorchDtypeInfo | undefined {
  return TORCH_DTYPES.find((d) => d.dtype === dtype);
}

/** The entry of {@link TORCH_DTYPES} for a storage class name, or undefined. */
export function torchStorageInfo(storage: string): TorchDtypeInfo | undefined {
  return TORCH_DTYPES.find((d) => d.storage === storage);
}
