import { fail } from '../errors.js';

/**
 * Slots per seed at each level of the seed derivation: a model seed gives 1009 layer seeds
 * (`'model'`), a layer seed 16 weight seeds (`'layer'`), a training seed 64 seeds of its random
 * streams or of its progressive-learning stages (`'training'`).
 */
export const SEED_FANOUT: Readonly<Record<SeedLevel, number>> = Object.freeze({ model: 1009, layer: 16, training: 64 });

/**
 * A level of the seed derivation: `'model'` (model seed -> layer seed), `'layer'` (layer seed -> weight
 * seed) or `'training'` (training seed -> the seed of a random stream or of a stage).
 */
export type SeedLevel = 'model' | 'layer' | 'training';

/**
 * The seed of slot `slot` under `seed` at derivation level `level`: `seed * SEED_FANOUT[level] + slot`
 * (so distinct slots of one seed never collide); `undefined` when `seed` is `null` or `undefined`
 * (an unseeded parent gives unseeded children). `slot` is an integer in `[0, SEED_FANOUT[level])`.
 */
export function deriveSeed(seed: number | null | undefined, level: SeedLevel, slot: number): number | undefined {
  const fanout = SEED_FANOUT[level];
  if (fanout === undefined) fail('deriveSeed level', "'model', 'layer' or 'training'", level);
  if (!Number.isInteger(slot) || slot < 0 || slot >= fanout) fail(`deriveSeed slot (${level})`, `an integer in [0, ${fanout})`, slot);
  return seed == null ? undefined : seed * fanout + slot;
}
