/**
 * Browser checkpoints: a model saved through tfjs' own `indexeddb://` handler comes back with its
 * GIT permutations, config metadata and identical logits. IndexedDB is emulated in Node with
 * fake-indexeddb (the handler code is tfjs' browser code; this file runs in its own process).
 */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, it } from 'vitest';
import { GridIndexTransform } from '../../src/layers/GridIndexTransform.js';
import { buildSke2Grid } from '../../src/model/buildSke2Grid.js';
import { expectFaithfulCopy } from '../helpers/roundTrip.js';
import { useBackend } from '../helpers/backends.js';
import { TINY } from '../helpers/tiny.js';

beforeAll(async () => {
  await useBackend('cpu');
  (globalThis as unknown as { self: typeof globalThis }).self = globalThis;
  tf.env().set('IS_BROWSER', true);
});

describe('IndexedDB checkpoints', () => {
  it('round-trip a Ske2Grid model with its permutation through indexeddb://', async () => {
    const model = buildSke2Grid({ ...TINY, gridShape: [6, 6], stages: [17, 25] });
    const git = model.getLayer('git_stage1') as GridIndexTransform;
    const custom = [...Array(36).keys()].map((i) => (i * 5) % 36);
    git.setPermutation(custom);
    await model.save('indexeddb://ske2grid-test');
    const loaded = await tfl.loadLayersModel('indexeddb://ske2grid-test');
    expectFaithfulCopy(model, loaded, 'git_stage1', custom);
    model.dispose();
    loaded.dispose();
  });
});
