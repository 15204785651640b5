import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../../src/deploy/crossOriginIsolation.js';
import { wasmThreadInfo } from '../../src/deploy/wasmThreadInfo.js';
import { useBackend } from '../helpers/backends.js';

describe('wasmThreadInfo in Node', () => {
  it('reports no isolation, no thread support and one thread on the wasm backend', async () => {
    await useBackend('wasm');
    const info = await wasmThreadInfo();
    expect(info.crossOriginIsolated).toBe(false);
    expect(info.threadsSupported).toBe(false); // tfjs never starts wasm threads in Node
    expect(info.threadCap).toBe(1);
    expect(info.threadsInUse).toBe(1);
    expect(info.threadsInUse).toBe(getThreadsCount());
    expect(info.backend).toBe('wasm');
    expect(info.sharedArrayBuffer).toBe(typeof SharedArrayBuffer === 'function');
    const navigatorCores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    expect(info.hardwareConcurrency).toBe(typeof navigatorCores === 'number' ? navigatorCores : null);
  });

  it('takes the count from a given getThreadsCount, and null when it throws', async () => {
    await useBackend('cpu');
    expect((await wasmThreadInfo({ getThreadsCount: () => 3 })).threadsInUse).toBe(3);
    const notReady = await wasmThreadInfo({
      getThreadsCount: () => {
        throw new Error('WASM backend not initialized.');
      },
    });
    expect(notReady.threadsInUse).toBeNull();
    expect(notReady.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu'); // nothing was initialised or switched
  });

  it('names the two isolation headers with the values browsers require', () => {
    expect(CROSS_ORIGIN_ISOLATION_HEADERS).toEqual({ 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    expect(Object.isFrozen(CROSS_ORIGIN_ISOLATION_HEADERS)).toBe(true);
  });
});
