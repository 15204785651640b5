import { describe, expect, it } from 'vitest';
import { SEED_FANOUT, deriveSeed } from '../../src/ops/seeds.js';

describe('deriveSeed', () => {
  it('is seed * fanout + slot: 1009 layer slots per model seed, 16 weight slots per layer seed', () => {
    expect(SEED_FANOUT).toEqual({ model: 1009, layer: 16 });
    expect(deriveSeed(7, 'model', 100)).toBe(7 * 1009 + 100);
    expect(deriveSeed(7, 'model', 999)).toBe(8062);
    expect(deriveSeed(0, 'model', 3)).toBe(3);
    expect(deriveSeed(7163, 'layer', 2)).toBe(7163 * 16 + 2);
  });

  it('gives distinct seeds to distinct slots of one seed', () => {
    const seeds = new Set(Array.from({ length: 16 }, (_, k) => deriveSeed(5, 'layer', k)));
    expect(seeds.size).toBe(16);
    expect(deriveSeed(5, 'layer', 15)).toBeLessThan(deriveSeed(6, 'layer', 0)!);
  });

  it('leaves unseeded parents unseeded', () => {
    expect(deriveSeed(null, 'model', 1)).toBeUndefined();
    expect(deriveSeed(undefined, 'layer', 0)).toBeUndefined();
  });

  it('rejects slots outside the fan-out and unknown levels', () => {
    expect(() => deriveSeed(1, 'layer', 16)).toThrow(/deriveSeed slot \(layer\): expected an integer in \[0, 16\), got 16/);
    expect(() => deriveSeed(1, 'model', -1)).toThrow(/deriveSeed slot \(model\): expected an integer in \[0, 1009\), got -1/);
    expect(() => deriveSeed(1, 'model', 1.5)).toThrow(/expected an integer in \[0, 1009\)/);
    expect(() => deriveSeed(1, 'graph' as never, 0)).toThrow(/deriveSeed level: expected 'model' or 'layer', got "graph"/);
  });
});
