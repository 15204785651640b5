import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ske2GridError } from '../../src/errors.js';
import { readTorchCheckpoint, type TorchValue } from '../../src/torch/readTorchCheckpoint.js';
import { TORCH_DTYPES } from '../../src/torch/torchDtypes.js';
import { TorchTensor } from '../../src/torch/torchTensor.js';
import { float32ToBfloat16Bits, float32ToFloat16Bits, writeTorchCheckpoint, type WritableTorchTensor } from '../../src/torch/writeTorchCheckpoint.js';
import { pythonWithTorch, runPython } from './pythonTorch.js';
import { expectedTensors, hasTorchFixtures, TORCH_FIXTURES, torchFixture } from './torchFixtures.js';

const asMap = (v: TorchValue | undefined) => v as Map<TorchValue, TorchValue>;

/** One tensor of every dtype, with edge values of each. */
const EVERY_DTYPE: Record<string, WritableTorchTensor> = {
  f32: { shape: [2, 2], data: new Float32Array([1.5, -0, 3.4028234663852886e38, 1e-45]) },
  f64: { shape: [3], data: new Float64Array([Math.PI, -1e308, 5e-324]) },
  f16: { shape: [4], dtype: 'float16', data: [1.9306640625, -65504, 6.103515625e-5, 5.960464477539063e-8] },
  bf16: { shape: [3], dtype: 'bfloat16', data: [-0.1884765625, 3.3895313892515355e38, 1] },
  i64: { shape: [3], dtype: 'int64', data: new Float64Array([-(2 ** 53) + 1, 0, 2 ** 40]) },
  i64big: { shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]) },
  i32: { shape: [2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
  i16: { shape: [2], data: new Int16Array([-32768, 32767]) },
  i8: { shape: [2], data: new Int8Array([-128, 127]) },
  u8: { shape: [2], data: new Uint8Array([0, 255]) },
  bool: { shape: [3], dtype: 'bool', data: new Uint8Array([1, 0, 1]) },
  scalar: { shape: [], data: new Float32Array([3.5]) },
  empty: { shape: [0, 4], data: new Float32Array(0) },
};

describe('writeTorchCheckpoint', () => {
  it('round-trips every dtype exactly (write -> readTorchCheckpoint)', () => {
    const read = asMap(readTorchCheckpoint(writeTorchCheckpoint(EVERY_DTYPE, { layout: 'bare' }), { int64: 'bigint' }));
    expect([...read.keys()]).toEqual(Object.keys(EVERY_DTYPE));
    const dtypes = new Set<string>();
    for (const [name, t] of Object.entries(EVERY_DTYPE)) {
      const got = read.get(name) as TorchTensor;
      dtypes.add(got.dtype);
      expect([name, got.shape]).toEqual([name, t.shape]);
      const want = Array.from(t.data as ArrayLike<number | bigint>, (v) => (got.dtype === 'int64' ? BigInt(v) : v));
      expect([name, Array.from(got.data as ArrayLike<number | bigint>)]).toEqual([name, want]);
    }
    expect([...dtypes].sort()).toEqual(TORCH_DTYPES.map((d) => d.dtype).sort());
  });

  it('the mmcv layout keeps meta and the state dict', () => {
    const meta = { epoch: 16, lr: 0.05, config: "model = dict(type='RecognizerGCN')", CLASSES: ['wave', 'sit'], nested: { ok: true, none: null } };
    const top = asMap(readTorchCheckpoint(writeTorchCheckpoint({ w: { shape: [1], data: [2] } }, { meta })));
    expect([...top.keys()]).toEqual(['meta', 'state_dict']);
    const m = asMap(top.get('meta'));
    expect([m.get('epoch'), m.get('lr'), m.get('config'), m.get('CLASSES')]).toEqual([16, 0.05, meta.config, ['wave', 'sit']]);
    expect([...asMap(m.get('nested')).entries()]).toEqual([
      ['ok', true],
      ['none', null],
    ]);
    expect(Array.from((asMap(top.get('state_dict')).get('w') as TorchTensor).data as Float32Array)).toEqual([2]);
  });

  it('rounds float16 and bfloat16 to nearest even, with overflow, subnormals and NaN', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // rounds to infinity
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // tie -> even (zero)
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002);
    expect(float32ToFloat16Bits(NaN) & 0x7e00).toBe(0x7e00);
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie -> even
    expect(float32ToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(float32ToBfloat16Bits(-2)).toBe(0xc000);
    expect(float32ToBfloat16Bits(NaN)).toBe(0x7fc0);
  });

  it('refuses bad tensors and options, naming them', () => {
    const err = (f: () => unknown) => {
      expect(f).toThrow(Ske2GridError);
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(err(() => writeTorchCheckpoint({ w: { shape: [2, 2], data: [1, 2, 3] } }))).toBe(
      "writeTorchCheckpoint stateDict['w'].data: expected 4 values for shape [2, 2], got 3",
    );
    expect(err(() => writeTorchCheckpoint({ w: { shape: [1], data: [300], dtype: 'int8' } }))).toBe(
      "writeTorchCheckpoint stateDict['w'].data[0]: expected an integer in [-128, 127] for int8, got 300",
    );
    expect(err(() => writeTorchCheckpoint({ w: { shape: [1], data: [1], dtype: 'complex64' as never } }))).toMatch(
      /^writeTorchCheckpoint stateDict\['w'\]\.dtype: expected one of float32, float64, .*, got "complex64"$/,
    );
    expect(err(() => writeTorchCheckpoint({ w: { shape: [-1], data: [] } }))).toBe(
      "writeTorchCheckpoint stateDict['w'].shape[0]: expected an integer in [0, 2^31), got -1",
    );
    expect(err(() => writeTorchCheckpoint({}, { layout: 'pyskl' as never }))).toBe(
      'writeTorchCheckpoint options.layout: expected "mmcv" or "bare", got "pyskl"',
    );
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'ske2grid-torch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!pythonWithTorch || !hasTorchFixtures)(
  'PyTorch reads what writeTorchCheckpoint writes (needs python3 with torch, e.g. Debian python3-torch, and ../shared/fixtures/torch)',
  () => {
    it('torch.load(weights_only=True) of a bare state dict: every dtype, shape and value of expected.json', () => {
      const tensors = asMap(asMap(readTorchCheckpoint(torchFixture('tensors.pth'))).get('tensors')) as Map<string, TorchTensor>;
      const file = join(tmp, 'tensors_bare.pth');
      writeFileSync(file, writeTorchCheckpoint(tensors, { layout: 'bare' }));
      const script = [
        'import json, sys, torch',
        'sd = torch.load(sys.argv[1], weights_only=True)',
        "print(json.dumps({k: {'dtype': str(t.dtype)[6:], 'shape': list(t.shape), 'values': t.double().flatten().tolist()} for k, t in sd.items()}))",
      ].join('\n');
      const got = JSON.parse(runPython(script, [file]));
      expect(got).toEqual(expectedTensors());
    });

    it('torch.load of the mmcv layout: the d5_t12 state dict with the same keys, dtypes and values', () => {
      const sd = asMap(asMap(readTorchCheckpoint(torchFixture('d5_t12_mmcv.pth'))).get('state_dict')) as Map<string, TorchTensor>;
      const file = join(tmp, 'd5_t12.pth');
      writeFileSync(file, writeTorchCheckpoint(sd, { meta: { epoch: 16 } }));
      const script = [
        'import sys, torch',
        "ref = torch.load(sys.argv[1])['state_dict']",
        'got = torch.load(sys.argv[2])',
        "assert got['meta'] == {'epoch': 16}, got['meta']",
        "got = got['state_dict']",
        'assert list(ref) == list(got), (list(ref), list(got))',
        'bad = [k for k in ref if ref[k].dtype != got[k].dtype or not torch.equal(ref[k], got[k])]',
        "print(len(ref), 'tensors;', 'different:', bad)",
      ].join('\n');
      expect(runPython(script, [`${TORCH_FIXTURES}d5_t12_mmcv.pth`, file]).trim()).toBe('215 tensors; different: []');
    });
  },
);
