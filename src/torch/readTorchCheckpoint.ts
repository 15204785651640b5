import { Ske2GridError, describe, requireInt } from '../errors.js';
import { float16ToFloat32, type Int64Mode, type NdArray, type NumpyDtype } from '../pickle/numpyArrays.js';
import { PickleGlobal, unpickleFirst, type PickleExtension, type UnpickleOptions } from '../pickle/unpickle.js';
import { isZipArchive, readTorchArchive } from './torchArchive.js';
import { torchStorageInfo, TORCH_DTYPES, type TorchDtypeInfo } from './torchDtypes.js';
import { TorchTensor, type TorchTensorData } from './torchTensor.js';

/**
 * A value of a PyTorch checkpoint: the pickle values of `unpickle` (dict -> Map, tuple -> frozen
 * array, ...) with tensors as {@link TorchTensor}.
 */
export type TorchValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | TorchValue[]
  | readonly TorchValue[]
  | Map<TorchValue, TorchValue>
  | Set<TorchValue>
  | TorchTensor
  | NdArray
  | NumpyDtype;

/** Limits and number modes of {@link readTorchCheckpoint}. */
export interface ReadTorchCheckpointOptions {
  /** Most bytes the records of a zip checkpoint may extract to, all together; default 2^32 (4 GiB). */
  maxBytes?: number;
  /**
   * Most tensor elements made in total (a view is copied out, so views of one storage count each
   * time); default 4 x the file's length in bytes + 2^20, which real checkpoints stay far under.
   */
  maxElements?: number;
  /** int64 tensors as Float64Array with exactness checked (`'number'`, default) or as BigInt64Array (`'bigint'`). */
  int64?: Int64Mode;
  /** Deepest nesting of containers; default 100. */
  maxDepth?: number;
}

/**
 * The globals a PyTorch checkpoint may name beyond those of `unpickle` ({@link ALLOWED_PICKLE_GLOBALS}):
 * the tensor and parameter rebuilders and the storage classes of {@link TORCH_DTYPES}. Anything
 * else (`os.system`, `builtins.eval`, a model class) is refused by name before it could run.
 *
 * @example
 * ```ts
 * import { TORCH_CHECKPOINT_GLOBALS } from 'ske2grid';
 * TORCH_CHECKPOINT_GLOBALS.includes('torch._utils._rebuild_tensor_v2'); // true
 * ```
 */
export const TORCH_CHECKPOINT_GLOBALS: readonly string[] = Object.freeze([
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...TORCH_DTYPES.map((d) => d.storage),
]);

/** The pickle protocol of PyTorch's legacy format and its magic number (the first pickle of such a file). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/** One storage of the checkpoint: its dtype, element count and bytes (absent while a legacy file's first pass runs). */
interface Storage {
  key: string;
  info: TorchDtypeInfo;
  numel: number;
  bytes?: Uint8Array;
}

/**
 * Reads a PyTorch checkpoint (`torch.save`: `.pth`, `.pt`) from its bytes WITHOUT executing
 * anything: the zip format (torch >= 1.6, via fflate) and the legacy format (torch < 1.6), through
 * the safe pickle reader with {@link TORCH_CHECKPOINT_GLOBALS} added. Tensors of every dtype of
 * {@link TORCH_DTYPES} come back as {@link TorchTensor}s with their values copied out in row-major
 * order (storage offsets, strides, expanded views, shared storages and the byte order applied); the
 * rest as `unpickle` returns it (dict -> Map, ...). Every size is checked against the file before
 * anything is allocated; errors are {@link Ske2GridError}s that say what was expected and what came.
 * Browser-safe; in Node, `readTorchFile(path)` from `ske2grid/node` reads a file.
 *
 * @example
 * ```ts
 * import { readTorchCheckpoint, loadOfficialWeights, buildSke2Grid, configFromStateDict } from 'ske2grid';
 * declare const bytes: Uint8Array; // e.g. await (await fetch('best_top1_acc_epoch_16.pth')).arrayBuffer()
 * const checkpoint = readTorchCheckpoint(bytes); // Map { 'meta' => ..., 'state_dict' => Map { name => TorchTensor }, ... }
 * const model = buildSke2Grid(configFromStateDict(checkpoint));
 * loadOfficialWeights(model, checkpoint);
 * ```
 */
export function readTorchCheckpoint(bytes: Uint8Array, options: ReadTorchCheckpointOptions = {}): TorchValue {
  if (!(bytes instanceof Uint8Array)) throw new Ske2GridError(`torch checkpoint: expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  const maxBytes = requireInt('torch checkpoint: options.maxBytes', options.maxBytes ?? 2 ** 32, 0);
  const maxElements = requireInt('torch checkpoint: options.maxElements', options.maxElements ?? 4 * bytes.length + 2 ** 20, 0);
  const int64 = options.int64 ?? 'number';
  if (int64 !== 'number' && int64 !== 'bigint')
    throw new Ske2GridError(`torch checkpoint: options.int64: expected "number" or "bigint", got ${JSON.stringify(int64)}`);
  const base: UnpickleOptions = { maxDepth: options.maxDepth ?? 100, bigInts: 'error' };
  const tensors = new TensorMaker(maxElements, int64);

  if (isZipArchive(bytes)) {
    const archive = readTorchArchive(bytes, { maxBytes });
    tensors.littleEndian = archive.byteOrder === 'little';
    const storages = new Map<string, Storage>();
    const load = (pid: unknown): Storage => {
      const { key, info, numel } = storagePid(pid, 5);
      const known = storages.get(key);
      if (known) return sameStorage(known, info, numel);
      const data = archive.storages.get(key);
      if (!data) throw new Ske2GridError(`torch checkpoint: expected a record '${archive.folder}/data/${key}' for storage '${key}', got none`);
      if (data.length !== numel * info.itemSize) {
        throw new Ske2GridError(
          `torch checkpoint storage '${key}': expected ${numel} x ${info.itemSize} = ${numel * info.itemSize} bytes (${info.storage}), got ${data.length}`,
        );
      }
      const storage = { key, info, numel, bytes: data };
      storages.set(key, storage);
      return storage;
    };
    return unpickleFirst(archive.pickle, { ...base, maxObjects: archive.pickle.length, extension: tensors.extension(load) }).value as TorchValue;
  }
  if (bytes.length >= 2 && bytes[0] === 0x80) return readLegacy(bytes, base, tensors);
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new Ske2GridError(
    `torch checkpoint: expected a zip archive (torch >= 1.6) or a legacy pickle (torch < 1.6), got a file starting with bytes ${head || '(empty)'}`,
  );
}

/** The legacy format: magic, protocol version, system info, the object, its storage keys, then each storage's count and bytes. */
function readLegacy(bytes: Uint8Array, base: UnpickleOptions, tensors: TensorMaker): TorchValue {
  let pos = 0;
  const next = (what: string, extension?: PickleExtension, bigInts: 'error' | 'bigint' = 'error'): unknown => {
    try {
      const { value, end } = unpickleFirst(bytes.subarray(pos), { ...base, extension, bigInts });
      pos += end;
      return value;
    } catch (e) {
      if (e instanceof Ske2GridError) throw new Ske2GridError(`torch checkpoint (legacy format) ${what} at byte ${pos}: ${e.message}`);
      throw e;
    }
  };
  const magic = next('magic number', undefined, 'bigint');
  if (magic !== LEGACY_MAGIC) {
    throw new Ske2GridError(
      `torch checkpoint: expected a zip archive or the legacy magic number 0x${LEGACY_MAGIC.toString(16)}, got a pickle of ${describeValue(magic)}`,
    );
  }
  const protocol = next('protocol version');
  if (protocol !== LEGACY_PROTOCOL)
    throw new Ske2GridError(`torch checkpoint (legacy format): expected protocol version ${LEGACY_PROTOCOL}, got ${describeValue(protocol)}`);
  const info = next('system info');
  if (!(info instanceof Map) || typeof info.get('little_endian') !== 'boolean') {
    throw new Ske2GridError(`torch checkpoint (legacy format): expected a system-info dict with little_endian, got ${describeValue(info)}`);
  }
  tensors.littleEndian = info.get('little_endian') as boolean;

  // First pass over the object: collect the storages it names (their bytes come after it).
  const objectStart = pos;
  const storages = new Map<string, Storage>();
  const collect = (pid: unknown): Storage => {
    const { key, info: dtype, numel, view } = storagePid(pid, 6);
    const known = storages.get(key);
    const storage = known ? sameStorage(known, dtype, numel) : { key, info: dtype, numel };
    storages.set(key, storage);
    return view ? { key: view.key, info: dtype, numel: view.size } : storage;
  };
  next('object', tensors.extension(collect, false));
  const objectEnd = pos;
  const keys = next('storage keys');
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
    throw new Ske2GridError(`torch checkpoint (legacy format): expected a list of storage keys, got ${describeValue(keys)}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys as string[]) {
    const storage = storages.get(key);
    if (!storage) throw new Ske2GridError(`torch checkpoint (legacy format): expected storage keys named by the object, got '${key}'`);
    if (pos + 8 > bytes.length)
      throw new Ske2GridError(`torch checkpoint (legacy format) storage '${key}': expected an 8-byte element count at byte ${pos}, got the end of the file`);
    const count = view.getBigInt64(pos, tensors.littleEndian);
    const numel = Number(count);
    if (count !== BigInt(storage.numel))
      throw new Ske2GridError(`torch checkpoint (legacy format) storage '${key}': expected ${storage.numel} elements, got ${count}`);
    const size = numel * storage.info.itemSize;
    if (pos + 8 + size > bytes.length) {
      throw new Ske2GridError(
        `torch checkpoint (legacy format) storage '${key}': expected ${size} bytes at byte ${pos + 8}, got ${bytes.length - pos - 8} left`,
      );
    }
    storage.bytes = bytes.subarray(pos + 8, pos + 8 + size);
    pos += 8 + size;
  }
  const missing = [...storages.values()].find((s) => !s.bytes);
  if (missing) throw new Ske2GridError(`torch checkpoint (legacy format): expected the data of storage '${missing.key}', got none`);

  // Second pass: the object again, now with every storage's bytes.
  const load = (pid: unknown): Storage => {
    const { key, view: slice } = storagePid(pid, 6);
    const root = storages.get(key) as Storage;
    if (!slice) return root;
    const { itemSize } = root.info;
    if (slice.offset + slice.size > root.numel) {
      throw new Ske2GridError(
        `torch checkpoint (legacy format) view '${slice.key}': expected elements ${slice.offset}..${slice.offset + slice.size} of storage '${key}', got a storage of ${root.numel}`,
      );
    }
    const bytesOfView = root.bytes!.subarray(slice.offset * itemSize, (slice.offset + slice.size) * itemSize);
    return { key: slice.key, info: root.info, numel: slice.size, bytes: bytesOfView };
  };
  const { value } = unpickleFirst(bytes.subarray(objectStart, objectEnd), { ...base, extension: tensors.extension(load) });
  return value as TorchValue;
}

/** Builds tensors for the pickle reader: the extension with the rebuild functions, and the element count. */
class TensorMaker {
  littleEndian = true;
  private elements = 0;

  constructor(
    private readonly maxElements: number,
    private readonly int64: Int64Mode,
  ) {}

  /** The pickle extension: storages from `load`; tensors materialised unless `materialise` is false (a first pass). */
  extension(load: (pid: unknown) => Storage, materialise = true): PickleExtension {
    const rebuild = (args: readonly unknown[], name: string): unknown => {
      if (args.length < 4) throw new Ske2GridError(`${name}: expected (storage, storage_offset, size, stride, ...), got ${args.length} arguments`);
      const [storage, offset, size, stride] = args;
      if (!isStorage(storage)) throw new Ske2GridError(`${name}: expected a storage as the first argument, got ${describeValue(storage)}`);
      return materialise ? this.tensor(storage, offset, size, stride) : null;
    };
    const globals = new Map<string, ((args: readonly unknown[]) => unknown) | null>();
    globals.set('torch._utils._rebuild_tensor', (args) => rebuild(args, '_rebuild_tensor'));
    globals.set('torch._utils._rebuild_tensor_v2', (args) => rebuild(args, '_rebuild_tensor_v2'));
    globals.set('torch._utils._rebuild_parameter', (args) => {
      if (args.length !== 3) throw new Ske2GridError(`_rebuild_parameter: expected (data, requires_grad, backward_hooks), got ${args.length} arguments`);
      if (materialise && !(args[0] instanceof TorchTensor)) throw new Ske2GridError(`_rebuild_parameter: expected a tensor, got ${describeValue(args[0])}`);
      return args[0];
    });
    for (const d of TORCH_DTYPES) globals.set(d.storage, null);
    return {
      globals,
      persistentLoad: (pid) => load(pid),
      // A state dict is an OrderedDict whose `_metadata` attribute (module versions) is pickled as a BUILD state: accepted, not kept.
      build: (target, state) => target instanceof Map && state instanceof Map && [...state.keys()].every((k) => typeof k === 'string'),
    };
  }

  /** Copies the elements a (storage, offset, size, stride) view selects into a new row-major tensor. */
  private tensor(storage: Storage, offsetArg: unknown, sizeArg: unknown, strideArg: unknown): TorchTensor {
    const offset = requireInt('storage_offset', offsetArg, 0);
    const shape = intTuple('size', sizeArg);
    const stride = intTuple('stride', strideArg);
    if (stride.length !== shape.length)
      throw new Ske2GridError(`stride: expected ${shape.length} entries (one per dimension of size ${describe(shape)}), got ${stride.length}`);
    let count = 1;
    for (const d of shape) count = d === 0 || count === 0 ? 0 : count * d;
    if (count > this.maxElements - this.elements) {
      throw new Ske2GridError(
        `tensor of size ${describe(shape)}: expected at most maxElements = ${this.maxElements} elements in all, got ${this.elements + count}`,
      );
    }
    this.elements += count;
    let last = offset;
    shape.forEach((d, i) => (last += (d - 1) * stride[i]));
    if (count > 0 && last >= storage.numel) {
      throw new Ske2GridError(
        `tensor of size ${describe(shape)}, stride ${describe(stride)} and offset ${offset}: expected elements within storage '${storage.key}' of ${storage.numel}, got index ${last}`,
      );
    }
    const index = elementIndices(shape, stride, offset, count);
    return new TorchTensor(storage.info.dtype, shape, this.decode(storage, index, count));
  }

  /** The elements at `index` (or `offset + i` when `index` is a number) of a storage, as the dtype's typed array. */
  private decode(storage: Storage, index: Float64Array | number, count: number): TorchTensorData {
    const b = storage.bytes!;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const le = this.littleEndian;
    const at = typeof index === 'number' ? (i: number) => index + i : (i: number) => index[i];
    const { dtype, itemSize } = storage.info;
    if (typeof index === 'number' && le && PLATFORM_LITTLE_ENDIAN && dtype in DIRECT) {
      // Contiguous and in the machine's byte order: one copy of the bytes, viewed as the dtype.
      const copy = b.slice(index * itemSize, (index + count) * itemSize);
      return new DIRECT[dtype as keyof typeof DIRECT](copy.buffer, 0, count);
    }
    switch (dtype) {
      case 'float32': {
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) out[i] = v.getFloat32(at(i) * 4, le);
        return out;
      }
      case 'float64': {
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) out[i] = v.getFloat64(at(i) * 8, le);
        return out;
      }
      case 'float16': {
        const bits = new Uint16Array(count);
        for (let i = 0; i < count; i++) bits[i] = v.getUint16(at(i) * 2, le);
        return float16ToFloat32(bits);
      }
      case 'bfloat16': {
        const bits = new Uint32Array(count);
        for (let i = 0; i < count; i++) bits[i] = v.getUint16(at(i) * 2, le) << 16;
        return new Float32Array(bits.buffer);
      }
      case 'int64': {
        if (this.int64 === 'bigint') {
          const out = new BigInt64Array(count);
          for (let i = 0; i < count; i++) out[i] = v.getBigInt64(at(i) * 8, le);
          return out;
        }
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) {
          const x = v.getBigInt64(at(i) * 8, le);
          if (x > BigInt(Number.MAX_SAFE_INTEGER) || x < BigInt(Number.MIN_SAFE_INTEGER)) {
            throw new Ske2GridError(`int64 storage '${storage.key}': expected values within +-(2^53 - 1), got ${x} (read with the option int64: 'bigint')`);
          }
          out[i] = Number(x);
        }
        return out;
      }
      case 'int32': {
        const out = new Int32Array(count);
        for (let i = 0; i < count; i++) out[i] = v.getInt32(at(i) * 4, le);
        return out;
      }
      case 'int16': {
        const out = new Int16Array(count);
        for (let i = 0; i < count; i++) out[i] = v.getInt16(at(i) * 2, le);
        return out;
      }
      case 'int8': {
        const out = new Int8Array(count);
        for (let i = 0; i < count; i++) out[i] = v.getInt8(at(i));
        return out;
      }
      default: {
        // uint8 and bool (any non-zero byte is true)
        const out = new Uint8Array(count);
        for (let i = 0; i < count; i++) out[i] = dtype === 'bool' ? (b[at(i) * itemSize] !== 0 ? 1 : 0) : b[at(i)];
        return out;
      }
    }
  }
}

const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Dtypes whose stored bytes are their typed array's bytes. */
const DIRECT = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int16: Int16Array, int8: Int8Array, uint8: Uint8Array };

/** Storage element of each row-major position: a number (the offset) when the view is contiguous, else every index. */
function elementIndices(shape: number[], stride: number[], offset: number, count: number): Float64Array | number {
  let expected = 1;
  let contiguous = true;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) contiguous = false;
    expected *= shape[i];
  }
  if (contiguous) return offset;
  const out = new Float64Array(count);
  const counter = new Array<number>(shape.length).fill(0);
  let position = offset;
  for (let i = 0; i < count; i++) {
    out[i] = position;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) {
        position += stride[d];
        break;
      }
      position -= (shape[d] - 1) * stride[d];
      counter[d] = 0;
    }
  }
  return out;
}

/** Reads a storage persistent id: `('storage', StorageClass, key, location, numel[, view_metadata])`. */
function storagePid(pid: unknown, length: 5 | 6): { key: string; info: TorchDtypeInfo; numel: number; view?: { key: string; offset: number; size: number } } {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length !== length) {
    const shape = length === 5 ? "('storage', type, key, location, numel)" : "('storage', type, key, location, numel, view)";
    throw new Ske2GridError(`persistent id: expected ${shape}, got ${describeValue(pid)}`);
  }
  const [, type, key, , numelArg, viewArg] = pid as unknown[];
  const name = type instanceof PickleGlobal ? type.name : undefined;
  const info = name === undefined ? undefined : torchStorageInfo(name);
  if (!info)
    throw new Ske2GridError(`persistent id: expected a storage class (${TORCH_DTYPES.map((d) => d.storage).join(', ')}), got ${name ?? describeValue(type)}`);
  if (typeof key !== 'string') throw new Ske2GridError(`persistent id: expected a storage key (str), got ${describeValue(key)}`);
  const numel = requireInt(`storage '${key}' numel`, numelArg, 0);
  if (viewArg === null || viewArg === undefined) return { key, info, numel };
  if (!Array.isArray(viewArg) || viewArg.length !== 3 || typeof viewArg[0] !== 'string') {
    throw new Ske2GridError(`storage '${key}' view: expected (view_key, offset, size), got ${describeValue(viewArg)}`);
  }
  const offset = requireInt(`storage '${key}' view offset`, viewArg[1], 0);
  const size = requireInt(`storage '${key}' view size`, viewArg[2], 0);
  return { key, info, numel, view: { key: viewArg[0], offset, size } };
}

/** A storage named again must have the same type and size. */
function sameStorage(known: Storage, info: TorchDtypeInfo, numel: number): Storage {
  if (known.info !== info || known.numel !== numel) {
    throw new Ske2GridError(
      `storage '${known.key}': expected the same type and size each time it is named (${known.info.storage}, ${known.numel}), got ${info.storage}, ${numel}`,
    );
  }
  return known;
}

function isStorage(v: unknown): v is Storage {
  return typeof v === 'object' && v !== null && 'info' in v && 'numel' in v && 'key' in v;
}

/** A tuple of non-negative integers (a size or stride), each below 2^31. */
function intTuple(arg: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new Ske2GridError(`${arg}: expected a tuple of integers, got ${describeValue(v)}`);
  return v.map((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d >= 2 ** 31)
      throw new Ske2GridError(`${arg}[${i}]: expected an integer in [0, 2^31), got ${describeValue(d)}`);
    return d;
  });
}

/** A short description of a pickle value for messages. */
function describeValue(v: unknown): string {
  if (v instanceof PickleGlobal) return `global ${v.name}`;
  if (v instanceof Map) return `dict of ${v.size}`;
  if (Array.isArray(v)) return `${Object.isFrozen(v) ? 'tuple' : 'list'} (${v.slice(0, 6).map(describeValue).join(', ')}${v.length > 6 ? ', ...' : ''})`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'bigint') return `${v}`;
  if (v instanceof Uint8Array) return `bytes of ${v.length}`;
  if (typeof v === 'object' && v !== null) return 'object';
  return String(v);
}
