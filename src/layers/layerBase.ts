import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import type { BatchNormVariables } from '../ops/batchNorm.js';
import { fail } from '../errors.js';
import { deriveSeed } from '../ops/seeds.js';

export type { LayerArgs, Kwargs };

/** The shape type of tfjs-layers (`null` = unknown dimension). */
export type Shape = (number | null)[];

/**
 * Shared base of the ske2grid layers: name-keyed weights with the initialisers the layers use,
 * and lookup by name for the checkpoint importer.
 */
export abstract class Ske2GridLayer extends tfl.layers.Layer {
  /** Seed of the random initialisation, or undefined for an unseeded one. */
  readonly seed?: number;

  constructor(args: LayerArgs & { seed?: number }) {
    super(args);
    if (args.seed !== undefined && !Number.isInteger(args.seed)) {
      fail(`${this.constructor.name} seed`, 'an integer', args.seed);
    }
    this.seed = args.seed;
  }

  /** The seed for the k-th random weight of this layer ({@link deriveSeed} at level `'layer'`; undefined when unseeded). */
  protected seedFor(k: number): number | undefined {
    return deriveSeed(this.seed, 'layer', k);
  }

  /** Adds `seed` to a layer config when set. */
  protected withSeed(config: serialization.ConfigDict): serialization.ConfigDict {
    return this.seed === undefined ? config : { ...config, seed: this.seed };
  }
  /** Adds a float32 weight initialised to zeros or ones. */
  protected addNamedWeight(name: string, shape: number[], init: 'zeros' | 'ones', trainable: boolean): tfl.LayerVariable {
    const initializer = init === 'ones' ? tfl.initializers.ones() : tfl.initializers.zeros();
    return this.addWeight(name, shape, 'float32', initializer, undefined, trainable);
  }

  /** Adds the batch norm weights {@link batchNormWeightName}`(prefix, ...)`, each `[channels]` (init 1, 0, 0, 1). */
  protected addBatchNormWeights(prefix: string, channels: number): BatchNormVariables {
    const add = (key: keyof BatchNormVariables, init: 'zeros' | 'ones', trainable: boolean) =>
      this.addNamedWeight(batchNormWeightName(prefix, key), [channels], init, trainable);
    return {
      gamma: add('gamma', 'ones', true),
      beta: add('beta', 'zeros', true),
      movingMean: add('movingMean', 'zeros', false),
      movingVariance: add('movingVariance', 'ones', false),
    };
  }

  /** Writes `value` into `variable` and disposes `value` (a write keeps its own reference). */
  protected assign(variable: tfl.LayerVariable, value: tf.Tensor): void {
    variable.write(value);
    value.dispose();
  }

  /** The weight whose name (after the layer prefix) is `name`. */
  variable(name: string): tfl.LayerVariable {
    // Weights get the layer prefix when the layer is built by `apply`, not by a direct `build`.
    const found = this.weights.find((w) => w.originalName === `${this.name}/${name}` || w.originalName === name);
    if (!found) fail(`${this.name} weight`, `one of ${this.weightNames().join(', ')}`, name);
    return found;
  }

  /** Names of this layer's weights, without the layer prefix. */
  weightNames(): string[] {
    const prefix = `${this.name}/`;
    return this.weights.map((w) => (w.originalName.startsWith(prefix) ? w.originalName.slice(prefix.length) : w.originalName));
  }
}

/** Suffix of each batch norm weight name: `gamma`, `beta`, `moving_mean`, `moving_variance`. */
export const BATCH_NORM_WEIGHT_SUFFIXES: Readonly<Record<keyof BatchNormVariables, string>> = Object.freeze({
  gamma: 'gamma',
  beta: 'beta',
  movingMean: 'moving_mean',
  movingVariance: 'moving_variance',
});

/** Name of one weight of the batch norm `prefix`: `<prefix>_gamma|beta|moving_mean|moving_variance`. */
export function batchNormWeightName(prefix: string, key: keyof BatchNormVariables): string {
  return `${prefix}_${BATCH_NORM_WEIGHT_SUFFIXES[key]}`;
}

/** The single tensor of a layer input. */
export function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** The single shape of a layer input shape. */
export function singleShape(shape: Shape | Shape[]): Shape {
  return Array.isArray(shape[0]) ? (shape as Shape[])[0] : (shape as Shape);
}

/** True when the layer was called with `training: true`. */
export function isTraining(kwargs: Kwargs): boolean {
  return kwargs['training'] === true;
}
