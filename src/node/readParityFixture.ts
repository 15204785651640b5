import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ske2GridError } from '../errors.js';
import { ParityFixture, type ParityManifest } from '../interop/parityFixture.js';

/**
 * Reads a parity fixture directory (`manifest.json` + its gzip or raw float32 blob). Node only.
 *
 * @example
 * ```ts
 * import { buildSke2Grid, loadOfficialWeights } from 'ske2grid';
 * import { readParityFixture } from 'ske2grid/node';
 * const fixture = readParityFixture('fixtures/parity/d5_t12'); // manifest.json + tensors.bin.gz
 * const model = buildSke2Grid(fixture.config());
 * loadOfficialWeights(model, fixture.stateDict());
 * ```
 */
export function readParityFixture(dir: string): ParityFixture {
  let manifest: ParityManifest & { bin?: { file: string; compression?: string } };
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch (e) {
    throw new Ske2GridError(`fixture dir '${dir}': expected a readable manifest.json, got ${(e as Error).message}`);
  }
  const file = manifest.bin?.file ?? 'tensors.bin.gz';
  const raw = readFileSync(join(dir, file));
  const bytes = manifest.bin?.compression === 'gzip' || file.endsWith('.gz') ? gunzipSync(raw) : raw;
  const blob = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return new ParityFixture(manifest, blob);
}
