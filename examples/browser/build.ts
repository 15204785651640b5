/**
 * Builds the browser example: bundles `main.ts` (the page script, with tfjs, its backends and ske2grid
 * from `src/`) with esbuild into `examples/browser/dist/main.js` and copies the wasm backend's
 * binaries beside it. `dist/` is git-ignored.
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** The folder the page is served from (`examples/browser/`). */
export const BROWSER_EXAMPLE_ROOT = fileURLToPath(new URL('.', import.meta.url));

/** The wasm backend's binaries the page loads from `dist/` (tfjs picks one by browser support). */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/**
 * Keeps every module of the library's `src/` in the bundle with its side effects: package.json's
 * `sideEffects` lists only the built `dist/` files, so esbuild would otherwise drop the modules whose
 * only effect here is registering a layer class (needed by `tf.loadLayersModel`).
 */
const keepLibraryRegistrations: Plugin = {
  name: 'ske2grid-src-side-effects',
  setup(b) {
    const src = join(BROWSER_EXAMPLE_ROOT, '..', '..', 'src') + sep;
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === 'resolved') return undefined;
      const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'resolved' });
      return resolved.path.startsWith(src) ? { ...resolved, sideEffects: true } : resolved;
    });
  },
};

/** Options of {@link buildBrowserExample}. */
export interface BuildBrowserExampleOptions {
  /** Minify the bundle; default true. */
  minify?: boolean;
}

/** What {@link buildBrowserExample} wrote. */
export interface BrowserExampleBuild {
  /** Absolute path of `dist/`. */
  outDir: string;
  /** Size of `dist/main.js` in bytes. */
  bundleBytes: number;
}

/** Bundles the page script into `dist/main.js` and copies the wasm binaries into `dist/`; see {@link BuildBrowserExampleOptions}. */
export async function buildBrowserExample(options: BuildBrowserExampleOptions = {}): Promise<BrowserExampleBuild> {
  const outDir = join(BROWSER_EXAMPLE_ROOT, 'dist');
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(BROWSER_EXAMPLE_ROOT, 'main.ts')],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [keepLibraryRegistrations],
  });
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  for (const file of WASM_FILES) copyFileSync(join(wasmDir, file), join(outDir, file));
  return { outDir, bundleBytes: statSync(join(outDir, 'main.js')).size };
}
