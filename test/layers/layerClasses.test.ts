import { serialization } from '@tensorflow/tfjs-core';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAYER_CLASSES } from '../../src/layers/layerClasses.js';

const LAYERS_DIR = new URL('../../src/layers/', import.meta.url);

describe('LAYER_CLASSES', () => {
  it('lists every layer class of src/layers (each one registered under its className)', () => {
    const declared = readdirSync(LAYERS_DIR)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(new URL(f, LAYERS_DIR), 'utf8').matchAll(/static className = '([^']+)'/g)].map((m) => m[1]));
    expect(declared.length).toBe(7);
    expect(LAYER_CLASSES.map((c) => c.className).sort()).toEqual([...declared].sort());
    const registered = serialization.SerializationMap.getMap().classNameMap;
    for (const c of LAYER_CLASSES) expect(registered[c.className]?.[0]).toBe(c);
  });
});
