import * as tf from '@tensorflow/tfjs-core';

/** What {@link wasmThreadInfo} reports. */
export interface WasmThreadInfo {
  /** `globalThis.crossOriginIsolated` (`false` where it is undefined, e.g. in Node). */
  crossOriginIsolated: boolean;
  /** Whether `SharedArrayBuffer` exists here (browsers expose it only on cross-origin isolated pages). */
  sharedArrayBuffer: boolean;
  /** `navigator.hardwareConcurrency`, or `null` where there is no `navigator` (Node 20). */
  hardwareConcurrency: number | null;
  /** tfjs's own check `WASM_HAS_MULTITHREAD_SUPPORT` (always `false` in Node), or `null` when the wasm backend package is not loaded. */
  threadsSupported: boolean | null;
  /** Threads of the tfjs wasm backend's pool, 1 = single-threaded; `null` until the wasm backend is initialised. */
  threadsInUse: number | null;
  /**
   * The most threads tfjs would start here: `min(8, floor(hardwareConcurrency / 2))`, at least 1, when
   * threads are supported; 1 when they are not; `null` when unknown.
   */
  threadCap: number | null;
  /** The active tfjs backend (`tf.getBackend()`), or `null` before one is set. */
  backend: string | null;
}

/** Options of {@link wasmThreadInfo}. */
export interface WasmThreadInfoOptions {
  /**
   * `getThreadsCount` from `@tensorflow/tfjs-backend-wasm`, when the caller has it imported; default:
   * read from the initialised wasm backend instance (same value).
   */
  getThreadsCount?: () => number;
}

/** The wasm backend instance's thread count (tfjs 4.x keeps it on `backend.wasm.tfjs.getThreadsCount`), or null when unavailable. */
function backendThreads(): number | null {
  if (!tf.engine().registryFactory.wasm) return null;
  const instance = tf.engine().registry.wasm as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | undefined;
  const count = instance?.wasm?.tfjs?.getThreadsCount?.();
  return typeof count === 'number' && count >= 1 ? count : null;
}

/**
 * Reports whether the tfjs wasm backend can run threads here and how many it runs. Threads start
 * only on a cross-origin isolated page (served with {@link CROSS_ORIGIN_ISOLATION_HEADERS}), where
 * `SharedArrayBuffer` exists; tfjs then starts `min(8, hardwareConcurrency / 2)` threads unless
 * `setThreadsCount(n)` was called before `tf.setBackend('wasm')`. Call it after the backend is set
 * to read `threadsInUse`. Browser-safe; never initialises a backend.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { wasmThreadInfo } from 'ske2grid';
 * await tf.setBackend('wasm');
 * const info = await wasmThreadInfo(); // { crossOriginIsolated: true, sharedArrayBuffer: true, threadsInUse: 4, ... } on an isolated page, 8 cores
 * if (!info.crossOriginIsolated) console.warn('serve the page with COOP same-origin + COEP require-corp for threads');
 * ```
 */
export async function wasmThreadInfo(options: WasmThreadInfoOptions = {}): Promise<WasmThreadInfo> {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  const hardwareConcurrency = typeof g.navigator?.hardwareConcurrency === 'number' ? g.navigator.hardwareConcurrency : null;
  let threadsSupported: boolean | null = null;
  try {
    threadsSupported = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean; // registered by the wasm backend package
  } catch {
    threadsSupported = null;
  }
  let threadsInUse: number | null = null;
  if (options.getThreadsCount) {
    try {
      threadsInUse = options.getThreadsCount();
    } catch {
      threadsInUse = null; // tfjs throws until the backend is initialised
    }
  } else threadsInUse = backendThreads();
  const threadCap =
    threadsSupported === false ? 1 : threadsSupported && hardwareConcurrency !== null ? Math.max(1, Math.min(8, Math.floor(hardwareConcurrency / 2))) : null;
  let backend: string | null = null;
  try {
    backend = tf.engine().backendName ?? null;
  } catch {
    backend = null;
  }
  return {
    crossOriginIsolated: g.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    hardwareConcurrency,
    threadsSupported,
    threadsInUse,
    threadCap,
    backend,
  };
}
