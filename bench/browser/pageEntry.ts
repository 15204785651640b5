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
import { runGridJob, type BenchRow, type GridJob, type MemorySample } from '../measure.js';

/** What the page reports about its backend once a job ran. */
export interface PageInfo {
  backend: string;
  userAgent: string;
  hardwareConcurrency: number;
  /** GPU renderer (webgl) or adapter (webgpu) description. */
  device?: string;
  wasmSimd?: boolean;
  wasmThreads?: boolean;
}

interface BenchWindow {
  ske2gridBench(job: GridJob): Promise<PageInfo>;
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
page.ske2gridBench = async (job: GridJob): Promise<PageInfo> => {
  const ok = await tf.setBackend(job.tfBackend);
  await tf.ready();
  if (!ok || tf.getBackend() !== job.tfBackend) {
    throw new Error(`backend ${job.tfBackend} is not available in this browser (tfjs is on ${tf.getBackend()})`);
  }
  const deviceErrors = watchDeviceErrors();
  await runGridJob(job, { emit: (row) => page.benchEmit(row), memory: pageMemory, log: (m) => console.log(`@bench ${m}`), deviceErrors });
  const info: PageInfo = {
    backend: tf.getBackend(),
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    device: describeDevice(),
  };
  if (job.tfBackend === 'wasm') {
    info.wasmSimd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    info.wasmThreads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  return info;
};
