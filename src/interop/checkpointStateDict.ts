import { Ske2GridError, describe } from '../errors.js';
import type { TorchValue } from '../torch/readTorchCheckpoint.js';
import { TorchTensor } from '../torch/torchTensor.js';
import type { StateDict, StateDictTensor } from './officialWeights.js';

/** What the official-weights functions accept: a state dict, or a whole checkpoint as `readTorchCheckpoint` returns it. */
export type OfficialCheckpoint = StateDict | TorchValue;

/**
 * The state dict of a checkpoint, keys without the `module.` prefix of DistributedDataParallel:
 * from an mmcv / PYSKL checkpoint `{meta, state_dict, optimizer}` its `state_dict`, from a bare state
 * dict (as `readTorchCheckpoint` returns it, or plain `{shape, data}` objects) the dict itself.
 *
 * @example
 * ```ts
 * import { readTorchCheckpoint, stateDictOf } from 'ske2grid';
 * declare const bytes: Uint8Array; // an official .pth
 * const stateDict = stateDictOf(readTorchCheckpoint(bytes)); // Map { 'backbone.data_bn.weight' => TorchTensor, ... }
 * ```
 */
export function stateDictOf(checkpoint: OfficialCheckpoint): Map<string, StateDictTensor> {
  if (checkpoint == null || typeof checkpoint !== 'object' || checkpoint instanceof TorchTensor || Array.isArray(checkpoint)) {
    throw new Ske2GridError(`stateDict: expected a state dict (name -> tensor) or a checkpoint with 'state_dict', got ${kind(checkpoint)}`);
  }
  let source: unknown = checkpoint;
  if (checkpoint instanceof Map && checkpoint.has('state_dict')) source = checkpoint.get('state_dict');
  else if (!(checkpoint instanceof Map) && 'state_dict' in checkpoint && !isTensorLike((checkpoint as Record<string, unknown>).state_dict)) {
    source = (checkpoint as Record<string, unknown>).state_dict;
  }
  if (source == null || typeof source !== 'object') throw new Ske2GridError(`checkpoint['state_dict']: expected a dict of tensors, got ${kind(source)}`);
  const entries: [unknown, unknown][] = source instanceof Map ? [...source.entries()] : Object.entries(source);
  const out = new Map<string, StateDictTensor>();
  const original = new Map<string, string>();
  for (const [key, value] of entries) {
    if (typeof key !== 'string') throw new Ske2GridError(`stateDict: expected parameter names (str) as keys, got ${kind(key)}`);
    if (!isTensorLike(value)) throw new Ske2GridError(`stateDict['${key}']: expected a tensor {shape, data}, got ${kind(value)}`);
    if (value.data instanceof BigInt64Array) {
      throw new Ske2GridError(`stateDict['${key}']: expected numbers, got int64 as bigint (read the checkpoint with int64: 'number')`);
    }
    const name = key.replace(/^module\./, '');
    if (out.has(name)) {
      throw new Ske2GridError(
        `stateDict['${key}']: expected each parameter once (after removing the 'module.' prefix), got it also as '${original.get(name)}'`,
      );
    }
    out.set(name, value as StateDictTensor);
    original.set(name, key);
  }
  return out;
}

function isTensorLike(v: unknown): v is { shape: number[]; data: ArrayLike<number> | BigInt64Array } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { shape?: unknown }).shape) && (v as { data?: unknown }).data != null;
}

function kind(v: unknown): string {
  if (v instanceof TorchTensor) return `a tensor of shape ${describe(v.shape)}`;
  if (v instanceof Map) return `a dict with keys ${describe([...v.keys()].slice(0, 5).map(String))}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return v === null ? 'None' : typeof v === 'object' ? 'an object' : describe(v);
}
