import { serialization } from '@tensorflow/tfjs-core';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAYER_CLASSES } from '../../src/deploy/layerClasses.js';

/** The folders that hold layer classes: the model's and the deployment-only ones. */
const LAYER_DIRS = ['../../src/layers/', '../../src/deploy/layers/'].map((d) => new URL(d, import.meta.url));

describe('LAYER_CLASSES', () => {
  it('lists every layer class of src/layers and src/deploy/layers (each one registered under its className)', () => {
    const declared = LAYER_DIRS.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .flatMap((f) => [...readFileSync(new URL(f, dir), 'utf8').matchAll(/static className = '([^']+)'/g)].map((m) => m[1])),
    );
    expect(declared.length).toBe(7);
    expect(LAYER_CLASSES.map((c) => c.className).sort()).toEqual([...declared].sort());
    const registered = serialization.SerializationMap.getMap().classNameMap;
    for (const c of LAYER_CLASSES) expect(registered[c.className]?.[0]).toBe(c);
  });
});
