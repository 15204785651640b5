/**
 * Entry of the benchmark page (bundled with esbuild by `chromiumRunner.ts`): registers the tfjs
 * backends and exposes `window.ske2gridBench(job)`, which selects the job's backend, checks that
 * tfjs really runs on it, and runs the job; rows go back through `window.benchEmit` (a playwright
 * binding) as they finish.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { runFormulationJob, type FormulationJob, type FormulationResult } from '../formulationCases.js';
import { runGridJob, type BenchRow, type GridJob, type MemorySample } from '../measure.js';
import { wasmThreadInfo } from '../../src/index.js';

/** What the page reports about its backend once a job ran. */
export interface PageInfo {
  backend: string;
  userAgent: string;
  hardwareConcurrency: number;
  /** GPU renderer (webgl) or adapter (webgpu) description. */
  device?: string;
  wasmSimd?: boolean;
  wasmThreads?: boolean;
  /** The page is cross-origin isolated (the bench server sends COOP/COEP), so wasm threads may start. */
  crossOriginIsolated?: boolean;
  /** Threads of the tfjs wasm backend's pool (`wasmThreadInfo().threadsInUse`). */
  wasmThreadsInUse?: number | null;
}

interface BenchWindow {
  ske2gridBench(job: GridJob): Promise<PageInfo>;
  ske2gridFormulations(job: FormulationJob): Promise<{ info: PageInfo; result: FormulationResult }>;
  benchEmit(row: BenchRow): Promise<void>;
}

setWasmPaths('/wasm/');

function pageMemory(): MemorySample {
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? { jsHeapUsedBytes: memory.usedJSHeapSize } : {};
}

function describeDevice(): string | undefined {
  const backend = tf.backend() as unknown as {
    gpgpu?: { gl: WebGLRenderingContext };
    adapterInfo?: { vendor?: string; architecture?: string; description?: string };
  };
  if (backend.gpgpu) {
    const gl = backend.gpgpu.gl;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  }
  if (backend.adapterInfo) {
    const a = backend.adapterInfo;
    return [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'webgpu adapter';
  }
  return undefined;
}

/** Collects the WebGPU device's uncaptured (validation) errors, which never throw in tfjs. */
function watchDeviceErrors(): () => string[] {
  const pending: string[] = [];
  const device = (tf.backend() as unknown as { device?: EventTarget }).device;
  device?.addEventListener('uncapturederror', (event) => {
    pending.push(String((event as unknown as { error?: { message?: string } }).error?.message ?? 'unknown WebGPU error'));
  });
  return () => pending.splice(0, pending.length);
}

const page = window as unknown as BenchWindow;

/** Selects the backend a job names and checks that tfjs really runs on it. */
async function selectBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} is not available in this browser (tfjs is on ${tf.getBackend()})`);
}

/** What the page can tell about the backend in use. */
async function pageInfo(tfBackend: string): Promise<PageInfo> {
  const info: PageInfo = {
    backend: tf.getBackend(),
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    device: describeDevice(),
  };
  if (tfBackend === 'wasm') {
    info.wasmSimd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    info.wasmThreads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    const threads = await wasmThreadInfo();
    info.crossOriginIsolated = threads.crossOriginIsolated;
    info.wasmThreadsInUse = threads.threadsInUse;
  }
  return info;
}

page.ske2gridBench = async (job: GridJob): Promise<PageInfo> => {
  await selectBackend(job.tfBackend);
  const deviceErrors = watchDeviceErrors();
  await runGridJob(job, { emit: (row) => page.benchEmit(row), memory: pageMemory, log: (m) => console.log(`@bench ${m}`), deviceErrors });
  return pageInfo(job.tfBackend);
};

page.ske2gridFormulations = async (job: FormulationJob) => {
  await selectBackend(job.tfBackend);
  const deviceErrors = watchDeviceErrors();
  const result = await runFormulationJob(job, {
    timed: async (fn) => {
      const t0 = performance.now();
      await fn();
      return { wall: performance.now() - t0, cpu: null };
    },
    log: (m) => console.log(`@bench ${m}`),
  });
  const errors = deviceErrors();
  if (errors.length) throw new Error(`the device reported ${errors.length} error(s), results invalid: ${errors[0].split('\n')[0]}`);
  return { info: await pageInfo(job.tfBackend), result };
};
