import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';

/** The backends the Node test-suite runs on. */
export const NODE_BACKENDS = ['cpu', 'wasm'] as const;

/** Switches to `name` and fails loudly if tfjs silently stayed on another backend. */
export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} is not available (got ${tf.getBackend()})`);
}

/** Path of the shared material (fixtures, datasets) beside the repository. */
export const SHARED = new URL('../../../shared/', import.meta.url).pathname;
