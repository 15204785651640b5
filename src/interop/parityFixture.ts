import * as tf from '@tensorflow/tfjs-core';
import { fail, failAs } from '../errors.js';
import type { LayoutName } from '../layouts/registry.js';
import type { Ske2GridConfig } from '../model/config.js';
import type { StateDict } from './officialWeights.js';

/** One tensor entry of a parity fixture manifest. */
export interface FixtureTensorEntry {
  name: string;
  kind: string;
  shape: number[];
  offset: number;
  nbytes: number;
}

/** The parts of a parity fixture manifest (`ske2grid-parity-fixture/v1`) that the checks read. */
export interface ParityManifest {
  format: string;
  model: {
    name: string;
    grid_shape: [number, number];
    progressive_joint_seq: number[];
    layout: string;
    in_channels: number;
    num_classes: number;
    num_person: number;
    dropout: number;
  };
  input: { N: number; M: number; T: number; V: number; C: number };
  index_sel: Record<string, number[]>;
  tensors: FixtureTensorEntry[];
}

/**
 * A parity fixture exported from the official PyTorch code: a manifest plus one float32 blob
 * (the format of the fixtures shipped for ske2grid's own tests). Read one in Node with
 * `readParityFixture` from `ske2grid/node`.
 *
 * @example
 * ```ts
 * import { ParityFixture, buildSke2Grid, loadOfficialWeights, type ParityManifest } from 'ske2grid';
 * declare const manifest: ParityManifest, blob: ArrayBuffer; // manifest.json and its float32 blob, fetched
 * const fixture = new ParityFixture(manifest, blob);
 * const model = buildSke2Grid(fixture.config());
 * loadOfficialWeights(model, fixture.stateDict());
 * ```
 */
export class ParityFixture {
  private readonly byName: Map<string, FixtureTensorEntry>;

  constructor(
    readonly manifest: ParityManifest,
    private readonly blob: ArrayBuffer,
  ) {
    if (manifest?.format !== 'ske2grid-parity-fixture/v1') {
      fail('fixture manifest.format', `'ske2grid-parity-fixture/v1'`, manifest?.format);
    }
    this.byName = new Map(manifest.tensors.map((t) => [t.name, t]));
    for (const t of manifest.tensors) {
      if (t.offset + t.nbytes > blob.byteLength) {
        failAs(`fixture tensor '${t.name}'`, `bytes ${t.offset}..${t.offset + t.nbytes}`, `a blob of ${blob.byteLength} bytes (truncated?)`);
      }
    }
  }

  /** True when the fixture holds a tensor of that name. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The raw values and shape of a tensor. */
  values(name: string): { shape: number[]; data: Float32Array } {
    const e = this.byName.get(name);
    if (!e) failAs('fixture', `a tensor named '${name}'`, 'none');
    return { shape: e.shape, data: new Float32Array(this.blob, e.offset, e.nbytes / 4) };
  }

  /** A tensor as a new tf.Tensor (caller disposes). */
  tensor(name: string): tf.Tensor {
    const { shape, data } = this.values(name);
    return tf.tensor(data, shape);
  }

  /** Names of all tensors whose name starts with `prefix`. */
  names(prefix = ''): string[] {
    return this.manifest.tensors.map((t) => t.name).filter((n) => n.startsWith(prefix));
  }

  /** The official state dict (every `param` and `buffer` tensor) for `loadOfficialWeights`. */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const t of this.manifest.tensors) {
      if (t.kind === 'param' || t.kind === 'buffer') sd[t.name] = this.values(t.name);
    }
    return sd;
  }

  /** The `buildSke2Grid` config that matches the fixture's model (layout, grid, stages, frames, persons, classes). */
  config(): Ske2GridConfig {
    const m = this.manifest.model;
    return {
      layout: m.layout as LayoutName,
      gridShape: [m.grid_shape[0], m.grid_shape[1]],
      stages: [...m.progressive_joint_seq],
      inChannels: m.in_channels,
      persons: m.num_person,
      frames: this.manifest.input.T,
      numClasses: m.num_classes,
      dropout: m.dropout,
    };
  }
}
