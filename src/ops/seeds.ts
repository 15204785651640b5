import { fail } from '../errors.js';

/**
 * Slots per seed at each level of the seed derivation: a model seed gives 1009 layer seeds
 * (`'model'`), a layer seed 16 weight seeds (`'layer'`).
 */
export const SEED_FANOUT: Readonly<Record<SeedLevel, number>> = Object.freeze({ model: 1009, layer: 16 });

/** A level of the seed derivation: `'model'` (model seed -> layer seed) or `'layer'` (layer seed -> weight seed). */
export type SeedLevel = 'model' | 'layer';

/**
 * The seed of slot `slot` under `seed` at derivation level `level`: `seed * SEED_FANOUT[level] + slot`
 * (so distinct slots of one seed never collide); `undefined` when `seed` is `null` or `undefined`
 * (an unseeded parent gives unseeded children). `slot` is an integer in `[0, SEED_FANOUT[level])`.
 */
export function deriveSeed(seed: number | null | undefined, level: SeedLevel, slot: number): number | undefined {
  const fanout = SEED_FANOUT[level];
  if (fanout === undefined) fail('deriveSeed level', "'model' or 'layer'", level);
  if (!Number.isInteger(slot) || slot < 0 || slot >= fanout) fail(`deriveSeed slot (${level})`, `an integer in [0, ${fanout})`, slot);
  return seed == null ? undefined : seed * fanout + slot;
}
