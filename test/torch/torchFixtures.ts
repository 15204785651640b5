import { existsSync, readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { SHARED } from '../helpers/backends.js';

/** `../shared/fixtures/torch/`: real checkpoints written by torch.save (PyTorch 1.13). */
export const TORCH_FIXTURES = `${SHARED}fixtures/torch/`;
export const hasTorchFixtures = existsSync(`${TORCH_FIXTURES}expected.json`);

/** The bytes of a fixture file. */
export const torchFixture = (name: string): Uint8Array => new Uint8Array(readFileSync(`${TORCH_FIXTURES}${name}`));

/** One tensor of `expected.json`: dtype, shape and values (float64, row-major). */
export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: number[];
}

/** `expected.json`'s tensors by name. */
export const expectedTensors = (): Record<string, ExpectedTensor> => JSON.parse(readFileSync(`${TORCH_FIXTURES}expected.json`, 'utf8')).tensors;

/** A zip checkpoint made by hand: `archive/data.pkl` and the given storages, stored. */
export function handMadeCheckpoint(pickle: Uint8Array, storages: Record<string, Uint8Array> = {}): Uint8Array {
  const files: Record<string, Uint8Array> = { 'archive/data.pkl': pickle };
  for (const [key, bytes] of Object.entries(storages)) files[`archive/data/${key}`] = bytes;
  return zipSync(files, { level: 0 });
}
