import type { Ske2GridConfig } from '../../src/model/config.js';

/** A tiny Ske2Grid config (3 blocks: no residual, strided conv residual, identity) that trains in milliseconds. */
export const TINY: Ske2GridConfig = {
  numClasses: 3,
  frames: 8,
  persons: 2,
  blocks: [
    { filters: 4, stride: 1 },
    { filters: 8, stride: 2 },
    { filters: 8, stride: 1 },
  ],
};

/** Counts the scalar entries of a list of weights. */
export function countParams(weights: { shape: (number | null)[] }[]): number {
  return weights.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d as number), 1), 0);
}
