import { zipSync, type Zippable } from 'fflate';
import { Ske2GridError, describe } from '../errors.js';
import { PickleWriter } from './pickleWriter.js';
import { torchDtypeInfo, TORCH_DTYPES, type TorchDtype } from './torchDtypes.js';

/** A tensor to write: PyTorch shape, row-major values, and optionally its dtype. */
export interface WritableTorchTensor {
  /** PyTorch shape; `[]` for a 0-d tensor. */
  shape: readonly number[];
  /** `product(shape)` values in row-major order (a BigInt64Array for int64 beyond 2^53). */
  data: ArrayLike<number> | BigInt64Array;
  /** Element type; default from `data`: Float64Array -> float64, Int32Array -> int32, Int16Array -> int16, Int8Array -> int8, Uint8Array -> uint8, BigInt64Array -> int64, anything else float32. */
  dtype?: TorchDtype;
}

/** A plain value of an mmcv checkpoint's `meta`: None, bool, number (integers as int), str, lists and string-keyed dicts of them. */
export type TorchMetaValue = null | boolean | number | string | readonly TorchMetaValue[] | { readonly [key: string]: TorchMetaValue };

/** Options of {@link writeTorchCheckpoint}. */
export interface WriteTorchCheckpointOptions {
  /**
   * What the pickle holds: `'mmcv'` (default) `{'meta': meta, 'state_dict': OrderedDict}` as the
   * official code's runner saves it, or `'bare'` the OrderedDict alone (`torch.save(model.state_dict())`).
   */
  layout?: 'mmcv' | 'bare';
  /** The `meta` dict of the `'mmcv'` layout; default `{}`. Floats in it are written as BINFLOAT, which torch 1.13's `weights_only=True` mode cannot read. */
  meta?: { readonly [key: string]: TorchMetaValue };
  /** Folder name inside the zip archive; default `'archive'` (what torch >= 2 writes). */
  folder?: string;
}

/**
 * Writes a PyTorch checkpoint in the zip format of `torch.save` (torch >= 1.6): a protocol-2
 * pickle with one persistent id per tensor storage, each tensor's bytes (little endian) in its own
 * stored record, plus `version` and `byteorder`. Tensors of any dtype of {@link TORCH_DTYPES};
 * float16 and bfloat16 are rounded to nearest even. The result loads with
 * `torch.load(path, weights_only=True)` (layout `'bare'`) and into the official model with
 * `load_state_dict(..., strict=True)` when the state dict is complete. Browser-safe.
 *
 * @example
 * ```ts
 * import { writeTorchCheckpoint } from 'ske2grid';
 * const bytes = writeTorchCheckpoint({ 'fc.weight': { shape: [2, 3], data: new Float32Array(6) } }, { layout: 'bare' });
 * // Python: torch.load('fc.pth', weights_only=True) -> OrderedDict([('fc.weight', tensor of shape [2, 3])])
 * ```
 */
export function writeTorchCheckpoint(
  stateDict: Record<string, WritableTorchTensor> | Map<string, WritableTorchTensor>,
  options: WriteTorchCheckpointOptions = {},
): Uint8Array {
  const layout = options.layout ?? 'mmcv';
  if (layout !== 'mmcv' && layout !== 'bare')
    throw new Ske2GridError(`writeTorchCheckpoint options.layout: expected "mmcv" or "bare", got ${describe(layout)}`);
  const folder = options.folder ?? 'archive';
  if (!/^[A-Za-z0-9_.-]+$/.test(folder)) throw new Ske2GridError(`writeTorchCheckpoint options.folder: expected a plain folder name, got ${describe(folder)}`);
  if (stateDict == null || typeof stateDict !== 'object')
    throw new Ske2GridError(`writeTorchCheckpoint stateDict: expected an object or Map of tensors, got ${describe(stateDict)}`);
  const entries = stateDict instanceof Map ? [...stateDict.entries()] : Object.entries(stateDict);
  const storages = entries.map(([name, t], i) => encodeTensor(name, t, String(i)));

  const w = new PickleWriter();
  const writeStateDict = () =>
    w.dict(
      entries.length,
      () => {
        for (const s of storages) {
          w.str(s.name);
          writeTensor(w, s);
        }
      },
      true,
    );
  if (layout === 'bare') writeStateDict();
  else {
    const meta = options.meta ?? {};
    w.dict(2, () => {
      w.str('meta');
      writeMeta(w, meta, 'meta');
      w.str('state_dict');
      writeStateDict();
    });
  }
  const files: Zippable = { [`${folder}/data.pkl`]: [w.finish(), { level: 0 }] };
  for (const s of storages) files[`${folder}/data/${s.key}`] = [s.bytes, { level: 0 }];
  files[`${folder}/version`] = [new TextEncoder().encode('3\n'), { level: 0 }];
  files[`${folder}/byteorder`] = [new TextEncoder().encode('little'), { level: 0 }];
  return zipSync(files);
}

interface EncodedTensor {
  name: string;
  key: string;
  dtype: TorchDtype;
  shape: number[];
  size: number;
  bytes: Uint8Array;
}

/** `_rebuild_tensor_v2(storage, 0, size, contiguous stride, False, OrderedDict())`. */
function writeTensor(w: PickleWriter, s: EncodedTensor): void {
  const stride = s.shape.map((_, i) => s.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  w.call(
    () => w.global('torch._utils', '_rebuild_tensor_v2'),
    6,
    () => {
      w.persistentId(() =>
        w.tuple(5, () => {
          w.str('storage');
          const storage = torchDtypeInfo(s.dtype)!.storage.split('.');
          w.global(storage[0], storage[1]);
          w.str(s.key);
          w.str('cpu');
          w.int(s.size);
        }),
      );
      w.int(0);
      w.tuple(s.shape.length, () => s.shape.forEach((d) => w.int(d)));
      w.tuple(stride.length, () => stride.forEach((d) => w.int(d)));
      w.bool(false);
      w.dict(0, () => {}, true);
    },
  );
}

function writeMeta(w: PickleWriter, v: TorchMetaValue, path: string): void {
  if (v === null) w.none();
  else if (typeof v === 'boolean') w.bool(v);
  else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) w.int(v);
    else w.float(v);
  } else if (typeof v === 'string') w.str(v);
  else if (Array.isArray(v)) w.list(v.length, () => v.forEach((x, i) => writeMeta(w, x, `${path}[${i}]`)));
  else if (typeof v === 'object') {
    const items = Object.entries(v);
    w.dict(items.length, () =>
      items.forEach(([k, x]) => {
        w.str(k);
        writeMeta(w, x, `${path}.${k}`);
      }),
    );
  } else throw new Ske2GridError(`writeTorchCheckpoint options.${path}: expected None, bool, number, str, list or dict, got ${typeof v}`);
}

/** The dtype `data` implies when a tensor names none. */
function dtypeOf(data: WritableTorchTensor['data']): TorchDtype {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  return 'float32';
}

/** Checks one tensor and encodes its values as little-endian bytes of its dtype. */
function encodeTensor(name: string, t: WritableTorchTensor, key: string): EncodedTensor {
  const arg = `writeTorchCheckpoint stateDict['${name}']`;
  if (t == null || typeof t !== 'object' || !Array.isArray(t.shape) || t.data == null || typeof t.data.length !== 'number') {
    throw new Ske2GridError(`${arg}: expected {shape, data[, dtype]}, got ${describe(t)}`);
  }
  t.shape.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0 || d >= 2 ** 31) throw new Ske2GridError(`${arg}.shape[${i}]: expected an integer in [0, 2^31), got ${describe(d)}`);
  });
  const dtype = t.dtype ?? dtypeOf(t.data);
  const info = torchDtypeInfo(dtype);
  if (!info) throw new Ske2GridError(`${arg}.dtype: expected one of ${TORCH_DTYPES.map((d) => d.dtype).join(', ')}, got ${describe(dtype)}`);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== size) throw new Ske2GridError(`${arg}.data: expected ${size} values for shape ${describe(t.shape)}, got ${t.data.length}`);
  const bytes = new Uint8Array(size * info.itemSize);
  const v = new DataView(bytes.buffer);
  const data = t.data;
  const num = (i: number): number => {
    const x = data[i];
    return typeof x === 'bigint' ? Number(x) : (x as number);
  };
  const integer = (i: number, min: number, max: number): number => {
    const x = num(i);
    if (!Number.isInteger(x) || x < min || x > max)
      throw new Ske2GridError(`${arg}.data[${i}]: expected an integer in [${min}, ${max}] for ${dtype}, got ${x}`);
    return x;
  };
  for (let i = 0; i < size; i++) {
    switch (dtype) {
      case 'float32':
        v.setFloat32(i * 4, num(i), true);
        break;
      case 'float64':
        v.setFloat64(i * 8, num(i), true);
        break;
      case 'float16':
        v.setUint16(i * 2, float32ToFloat16Bits(num(i)), true);
        break;
      case 'bfloat16':
        v.setUint16(i * 2, float32ToBfloat16Bits(num(i)), true);
        break;
      case 'int64': {
        const x = data[i];
        if (typeof x === 'bigint') v.setBigInt64(i * 8, x, true);
        else v.setBigInt64(i * 8, BigInt(integer(i, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)), true);
        break;
      }
      case 'int32':
        v.setInt32(i * 4, integer(i, -(2 ** 31), 2 ** 31 - 1), true);
        break;
      case 'int16':
        v.setInt16(i * 2, integer(i, -32768, 32767), true);
        break;
      case 'int8':
        v.setInt8(i, integer(i, -128, 127));
        break;
      case 'uint8':
        v.setUint8(i, integer(i, 0, 255));
        break;
      default: // bool
        v.setUint8(i, integer(i, 0, 1));
    }
  }
  return { name, key, dtype, shape: [...t.shape], size, bytes };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * IEEE binary16 bits of a number (via float32), rounded to nearest even; overflow to infinity.
 *
 * @example
 * ```ts
 * import { float32ToFloat16Bits } from 'ske2grid';
 * float32ToFloat16Bits(1); // 0x3c00
 * float32ToFloat16Bits(65520); // 0x7c00 (infinity: beyond the largest half, 65504)
 * ```
 */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 112; // re-biased for binary16
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let h = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is the right result (up to infinity)
  return sign | h;
}

/**
 * bfloat16 bits of a number (the top half of its float32, rounded to nearest even; NaN kept).
 *
 * @example
 * ```ts
 * import { float32ToBfloat16Bits } from 'ske2grid';
 * float32ToBfloat16Bits(1); // 0x3f80
 * float32ToBfloat16Bits(1 + 2 ** -8); // 0x3f80 (a tie, rounded to even)
 * ```
 */
export function float32ToBfloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if (Number.isNaN(value)) return ((x >>> 16) & 0x8000) | 0x7fc0;
  return (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
}
