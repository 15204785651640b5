import type * as tfl from '@tensorflow/tfjs-layers';
import { fail } from '../errors.js';
import { createRandom, type Random } from '../random/random.js';
import { deriveSeed } from '../ops/seeds.js';
import { GridConvBlock } from '../layers/GridConvBlock.js';
import { CONFIG_METADATA_KEY } from '../model/buildSke2Grid.js';

/** The random sources of one training run (see {@link seedTrainingRun}). */
export interface TrainingRandomness {
  /** The seed in use, or `null` for an unseeded run. */
  seed: number | null;
  /** Source of the batch order of every epoch. */
  order: Random;
  /** Uniform source of the GIT layers' Gumbel noise; `undefined` leaves it to `Math.random`. */
  gumbel?: () => number;
}

/**
 * The seed a training call uses: `seed` when given (a safe integer), else the `seed` of the model's
 * config (`buildSke2Grid({ seed })`), else `null` (unseeded).
 *
 * @example
 * ```ts
 * import { buildSke2Grid, trainingSeed } from 'ske2grid';
 * trainingSeed(buildSke2Grid({ seed: 3 })); // 3
 * trainingSeed(buildSke2Grid({ seed: 3 }), 8); // 8
 * ```
 */
export function trainingSeed(model: tfl.LayersModel, seed?: number | null): number | null {
  if (seed != null) {
    if (!(Number.isSafeInteger(seed) && seed >= 0)) fail('options.seed', 'a non-negative integer', seed);
    return seed;
  }
  const meta = model.getUserDefinedMetadata() as Record<string, { seed?: unknown } | undefined> | undefined;
  const own = meta?.[CONFIG_METADATA_KEY]?.seed;
  return typeof own === 'number' && Number.isSafeInteger(own) ? own : null;
}

/**
 * Derives every random source of a training run from one seed and installs the dropout sources in
 * the model's {@link GridConvBlock}s: stream 0 orders the batches, stream 1 draws the Gumbel noise,
 * stream 2 + k seeds the dropout masks of the k-th block (stream seeds from `deriveSeed(seed, 'training', stream)`). `seed` `null` gives an unseeded run
 * (batch order from `Math.random`, unseeded dropout and noise).
 *
 * @example
 * ```ts
 * import { buildSke2Grid, seedTrainingRun } from 'ske2grid';
 * const model = buildSke2Grid({ numClasses: 4, frames: 16, dropout: 0.1, seed: 5 });
 * const { order, gumbel } = seedTrainingRun(model, 5); // the same batch order, noise and dropout masks on every run
 * ```
 */
export function seedTrainingRun(model: tfl.LayersModel, seed: number | null): TrainingRandomness {
  const blocks = model.layers.filter((l): l is GridConvBlock => l instanceof GridConvBlock);
  if (seed === null) {
    blocks.forEach((b) => b.setDropoutRandom(undefined));
    return { seed, order: createRandom(Math.floor(Math.random() * 4294967296)) };
  }
  const stream = (k: number) => createRandom(deriveSeed(seed, 'training', k)!);
  blocks.forEach((b, k) => b.setDropoutRandom(stream(2 + k).uniform));
  return { seed, order: stream(0), gumbel: stream(1).uniform };
}
