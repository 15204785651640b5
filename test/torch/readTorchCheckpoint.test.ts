import { existsSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { PickleWriter } from '../../src/torch/pickleWriter.js';
import { readTorchCheckpoint, type TorchValue } from '../../src/torch/readTorchCheckpoint.js';
import { TorchTensor } from '../../src/torch/torchTensor.js';
import { writeTorchCheckpoint } from '../../src/torch/writeTorchCheckpoint.js';
import { expectedTensors, handMadeCheckpoint, hasTorchFixtures, torchFixture } from './torchFixtures.js';

/** The message of the Ske2GridError that reading `bytes` throws. */
function errorOf(bytes: Uint8Array, options?: Parameters<typeof readTorchCheckpoint>[1]): string {
  try {
    readTorchCheckpoint(bytes, options);
  } catch (e) {
    expect(e).toBeInstanceOf(Ske2GridError);
    return (e as Error).message;
  }
  throw new Error('expected readTorchCheckpoint to throw');
}

const asMap = (v: TorchValue | undefined) => v as Map<TorchValue, TorchValue>;

/** A pickle of `_rebuild_tensor_v2` over one float32 storage of `numel` elements with the given view. */
function viewPickle(numel: number, offset: number, size: number[], stride: number[]): Uint8Array {
  const w = new PickleWriter();
  w.call(
    () => w.global('torch._utils', '_rebuild_tensor_v2'),
    6,
    () => {
      w.persistentId(() =>
        w.tuple(5, () => {
          w.str('storage');
          w.global('torch', 'FloatStorage');
          w.str('0');
          w.str('cpu');
          w.int(numel);
        }),
      );
      w.int(offset);
      w.tuple(size.length, () => size.forEach((d) => w.int(d)));
      w.tuple(stride.length, () => stride.forEach((d) => w.int(d)));
      w.bool(false);
      w.dict(0, () => {}, true);
    },
  );
  return w.finish();
}

const floats = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

describe.skipIf(!hasTorchFixtures)('readTorchCheckpoint on real torch.save files (needs ../shared/fixtures/torch)', () => {
  for (const file of ['tensors.pth', 'tensors_legacy.pth']) {
    it(`${file}: every dtype, view, shared storage, 0-d and empty tensor as expected.json lists it`, () => {
      const top = asMap(readTorchCheckpoint(torchFixture(file)));
      expect([...top.keys()]).toEqual(['tensors', 'nested', 'epoch', 'name']);
      const tensors = asMap(top.get('tensors'));
      const expected = expectedTensors();
      expect([...tensors.keys()]).toEqual(Object.keys(expected));
      for (const [name, e] of Object.entries(expected)) {
        const t = tensors.get(name) as TorchTensor;
        expect(t, name).toBeInstanceOf(TorchTensor);
        expect([name, t.dtype, t.shape]).toEqual([name, e.dtype, e.shape]);
        expect([name, Array.from(t.data as ArrayLike<number>)]).toEqual([name, e.values]);
      }
      expect((tensors.get('f16') as TorchTensor).data).toBeInstanceOf(Float32Array);
      expect((tensors.get('i64') as TorchTensor).data).toBeInstanceOf(Float64Array);
      expect((tensors.get('bool') as TorchTensor).data).toBeInstanceOf(Uint8Array);
      const nested = asMap(top.get('nested'));
      const list = nested.get('list') as TorchValue[];
      expect(Array.from((list[0] as TorchTensor).data as Float32Array)).toEqual([1, 1]);
      expect(list.slice(1)).toEqual([1, 'a']);
      const tuple = nested.get('tuple') as readonly TorchValue[];
      expect(Object.isFrozen(tuple)).toBe(true);
      expect(tuple[1]).toBe(2.5);
      expect([top.get('epoch'), top.get('name')]).toEqual([3, 'tensors']);
    });
  }

  it('int64 as BigInt64Array on request', () => {
    const tensors = asMap(asMap(readTorchCheckpoint(torchFixture('tensors.pth'), { int64: 'bigint' })).get('tensors'));
    expect((tensors.get('i64') as TorchTensor).data).toEqual(new BigInt64Array([-3n, 0n, 7n, 1099511627776n]));
  });

  it('an mmcv checkpoint: meta, state_dict and optimizer', () => {
    const top = asMap(readTorchCheckpoint(torchFixture('d5_t12_mmcv.pth')));
    expect([...top.keys()]).toEqual(['meta', 'state_dict', 'optimizer']);
    expect(asMap(top.get('meta')).get('mmcv_version')).toBe('1.5.0');
    const sd = asMap(top.get('state_dict'));
    expect(sd.size).toBe(215);
    const counter = sd.get('backbone.data_bn.num_batches_tracked') as TorchTensor;
    expect([counter.dtype, counter.shape]).toEqual(['int64', []]);
    expect((sd.get('backbone.SGT_stages.0.index_sel') as TorchTensor).dtype).toBe('int64');
  });

  it('refuses malicious.pth by the global it names, and runs nothing', () => {
    const message = errorOf(torchFixture('malicious.pth'));
    expect(message).toMatch(/^pickle: global "posix\.system" is not allowed \(GLOBAL at byte \d+\); allowed: /);
    expect(message).toContain('torch._utils._rebuild_tensor_v2');
    expect(existsSync('pwned.txt')).toBe(false);
  });

  it('refuses a truncated zip and a truncated legacy file', () => {
    const zip = torchFixture('tensors.pth');
    expect(errorOf(zip.subarray(0, zip.length - 100))).toMatch(/^torch checkpoint: expected a readable zip archive|^torch checkpoint record/);
    const legacy = torchFixture('tensors_legacy.pth');
    expect(errorOf(legacy.subarray(0, legacy.length - 2))).toMatch(
      /^torch checkpoint \(legacy format\) storage '\d+': expected 4 bytes at byte \d+, got 2 left$/,
    );
  });
});

describe('readTorchCheckpoint on hand-made files', () => {
  it('reads a view with an offset and strides from a hand-made zip', () => {
    const bytes = handMadeCheckpoint(viewPickle(6, 1, [2, 2], [3, 1]), { '0': floats(0, 1, 2, 3, 4, 5) });
    const t = readTorchCheckpoint(bytes) as TorchTensor;
    expect([t.dtype, t.shape, Array.from(t.data as Float32Array)]).toEqual(['float32', [2, 2], [1, 2, 4, 5]]);
  });

  it('honours byteorder big', () => {
    const big = new Uint8Array(8);
    new DataView(big.buffer).setFloat32(0, 1.5, false);
    new DataView(big.buffer).setFloat32(4, -2, false);
    const zip = handMadeCheckpoint(viewPickle(2, 0, [2], [1]), { '0': big });
    const withOrder = zipSync({ ...unzipSync(zip), 'archive/byteorder': new TextEncoder().encode('big') }, { level: 0 });
    expect(Array.from((readTorchCheckpoint(withOrder) as TorchTensor).data as Float32Array)).toEqual([1.5, -2]);
  });

  it('refuses a view beyond its storage, a storage of the wrong size and a missing storage', () => {
    expect(errorOf(handMadeCheckpoint(viewPickle(6, 4, [2, 2], [3, 1]), { '0': floats(0, 1, 2, 3, 4, 5) }))).toMatch(
      /tensor of size \[2, 2\], stride \[3, 1\] and offset 4: expected elements within storage '0' of 6, got index 8 \(REDUCE at byte \d+\)$/,
    );
    expect(errorOf(handMadeCheckpoint(viewPickle(6, 0, [6], [1]), { '0': floats(0, 1, 2) }))).toMatch(
      /storage '0': expected 6 x 4 = 24 bytes \(torch\.FloatStorage\), got 12/,
    );
    expect(errorOf(handMadeCheckpoint(viewPickle(6, 0, [6], [1])))).toMatch(/expected a record 'archive\/data\/0' for storage '0', got none/);
  });

  it('bounds the elements an expanded view makes (maxElements)', () => {
    const bytes = handMadeCheckpoint(viewPickle(1, 0, [2000, 1000], [0, 0]), { '0': floats(7) });
    expect(errorOf(bytes)).toMatch(/tensor of size \[2000, 1000\]: expected at most maxElements = \d+ elements in all, got 2000000/);
    const t = readTorchCheckpoint(bytes, { maxElements: 2e6 }) as TorchTensor;
    expect([t.data.length, t.data[1999999]]).toEqual([2e6, 7]);
  });

  it('refuses records that declare more bytes than allowed, before extracting them', () => {
    const pickle = viewPickle(2, 0, [2], [1]);
    const bytes = handMadeCheckpoint(pickle, { '0': floats(1, 2) });
    const maxBytes = pickle.length + 4;
    expect(errorOf(bytes, { maxBytes })).toMatch(/^torch checkpoint: expected at most maxBytes = \d+ bytes of records, got more \(at 'archive\/data\/0'\)$/);
    // A deflated record claiming 1 GiB from a few bytes: its declared size is patched in the central directory.
    const deflated = zipSync({ 'archive/data.pkl': viewPickle(2, 0, [2], [1]), 'archive/data/0': floats(1, 2) }, { level: 6 });
    const patched = patchCentralSize(deflated, 'archive/data/0', 2 ** 30);
    expect(errorOf(patched)).toMatch(/record 'archive\/data\/0': expected at most 1032 x its \d+ compressed bytes, got 1073741824 declared/);
  });

  it('refuses what is not a checkpoint, naming the first bytes', () => {
    expect(errorOf(new Uint8Array([1, 2, 3, 4, 5]))).toBe(
      'torch checkpoint: expected a zip archive (torch >= 1.6) or a legacy pickle (torch < 1.6), got a file starting with bytes 01 02 03 04',
    );
    expect(errorOf(new Uint8Array([0x80, 0x02, 0x4b, 0x07, 0x2e]))).toBe(
      'torch checkpoint: expected a zip archive or the legacy magic number 0x1950a86a20f9469cfc6c, got a pickle of 7',
    );
  });

  it('accepts the OrderedDict state a real state_dict() carries (its _metadata) and keeps only the items', () => {
    // OrderedDict() ; MARK 'w' tensor SETITEMS ; {'_metadata': {}} BUILD
    const w = viewPickle(2, 0, [2], [1]);
    const tensor = w.subarray(2, w.length - 1); // without PROTO and STOP
    const enc = new TextEncoder();
    const key = enc.encode('w');
    const meta = enc.encode('_metadata');
    const bytes = new Uint8Array([
      0x80, 0x02, 0x63, ...enc.encode('collections\nOrderedDict\n'), 0x29, 0x52, 0x28, 0x58, key.length, 0, 0, 0, ...key, ...tensor, 0x75,
      0x7d, 0x58, meta.length, 0, 0, 0, ...meta, 0x7d, 0x73, 0x62, 0x2e,
    ]); // prettier-ignore
    const sd = asMap(readTorchCheckpoint(handMadeCheckpoint(bytes, { '0': floats(3, 4) })));
    expect([...sd.keys()]).toEqual(['w']);
    expect(Array.from((sd.get('w') as TorchTensor).data as Float32Array)).toEqual([3, 4]);
  });

  it('round-trips what writeTorchCheckpoint writes', () => {
    const bytes = writeTorchCheckpoint({ a: { shape: [2], data: new Float32Array([1, 2]) } }, { layout: 'bare' });
    const sd = asMap(readTorchCheckpoint(bytes));
    expect(Array.from((sd.get('a') as TorchTensor).data as Float32Array)).toEqual([1, 2]);
  });
});

/** Sets the uncompressed size of `name` in the central directory of a zip. */
function patchCentralSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const target = new TextEncoder().encode(name);
  for (let i = 0; i + 46 < out.length; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(i + 28, true);
    const found = out.subarray(i + 46, i + 46 + nameLength);
    if (found.length === target.length && found.every((b, k) => b === target[k])) {
      view.setUint32(i + 24, size, true);
      return out;
    }
  }
  throw new Error(`no central record ${name}`);
}
