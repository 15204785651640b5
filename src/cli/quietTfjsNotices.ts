import * as tf from '@tensorflow/tfjs-core';

/**
 * Silences TensorFlow.js's console notices in a process this package runs (the `ske2grid` command,
 * the examples, scripts, benchmarks and tests): tfjs-core logs and warns only when neither its
 * `PROD` nor its `IS_TEST` flag is set, and the cpu backend's first tensor in Node otherwise prints
 * a banner recommending tfjs-node. Sets `PROD` (which changes nothing but logging; `IS_TEST` would
 * also turn on per-kernel leak checks). The library itself never calls this: a program that imports
 * it keeps tfjs as it configured it.
 */
export function quietTfjsNotices(): void {
  tf.env().set('PROD', true);
}
