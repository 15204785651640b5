/// <reference types="@vitest/browser/providers/playwright" />
import { CHROMIUM_ARGS, CHROMIUM_PATH, HAS_CHROMIUM } from './scripts/chromium.js';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const chromiumPath = CHROMIUM_PATH;
const hasChromium = HAS_CHROMIUM;
const chromiumArgs = [...CHROMIUM_ARGS];

/** Every tfjs package the browser suite loads, pre-bundled up front so Vite does not reload the page mid-run. */
const tfjsPackages = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-backend-wasm',
];

/** The Node suite: every test except the browser suite, cpu and wasm backends. */
const nodeProject: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'node',
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/browser-suite/**'],
    setupFiles: ['test/helpers/quietTfjs.ts'],
    pool: 'forks',
  },
};

/** The browser suite in headless Chromium (playwright provider): webgl, webgpu and wasm backends. */
const browserProject: TestProjectInlineConfiguration = {
  extends: true,
  optimizeDeps: { include: [...tfjsPackages, 'onnxruntime-web/wasm'] },
  test: {
    name: 'browser',
    include: ['test/browser-suite/**/*.browser.test.ts'],
    browser: {
      enabled: true,
      provider: 'playwright',
      headless: true,
      // One page for all files, one file at a time: SwiftShader emulates the GPU on the CPU cores,
      // and compiled WebGL/WebGPU shaders are reused across files instead of rebuilt per file.
      isolate: false,
      fileParallelism: false,
      screenshotFailures: false,
      instances: [{ browser: 'chromium', launch: { executablePath: chromiumPath, args: chromiumArgs } }],
    },
  },
};

/** Stands in for the browser project when Chromium is missing: one skipped test that names what is needed. */
const browserUnavailableProject: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'browser',
    include: ['test/browser-suite/chromiumMissing.test.ts'],
    env: { CHROMIUM_PATH: chromiumPath },
  },
};

if (!hasChromium) {
  console.warn(`[ske2grid] browser suite SKIPPED: no Chromium at ${chromiumPath} (install Debian's chromium or set CHROMIUM_PATH)`);
}

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [nodeProject, hasChromium ? browserProject : browserUnavailableProject],
  },
});
