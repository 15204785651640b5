import { defineConfig } from 'tsup';

/**
 * Library build: ESM (`.js`) + CJS (`.cjs`) with declarations (`.d.ts` / `.d.cts`), matching the
 * `exports` map in package.json.
 *
 * - `@tensorflow/*` stays external: tfjs-core/tfjs-layers are peer dependencies, and a bundled
 *   copy would bring a second tfjs registry (custom layers registered there are invisible to the
 *   consumer's `tf.loadLayersModel`: "Unknown layer").
 * - Code splitting on: modules used by several entries (`errors`, `ParityFixture`, the layers
 *   with their class registrations) live once in shared `chunk-*` files, so `ske2grid` and
 *   `ske2grid/node` share classes at run time (`instanceof Ske2GridError` holds across them).
 *   The chunks are listed in package.json `sideEffects` so bundlers keep the registrations.
 * - The declaration build does share one hashed `.d.ts`/`.d.cts` chunk (the `ParityFixture`
 *   declaration used by both entries). Keep it: `ParityFixture` has private members, so separate
 *   copies would make `readParityFixture()` (from `ske2grid/node`) not assignable to the
 *   `ParityFixture` that `runParityChecks` (from `ske2grid`) expects.
 * - `cli/main` is the `ske2grid` bin and `cli/parity` its old `ske2grid-parity` alias (`dist/cli/*.js`, ESM as the package is
 *   `"type": "module"`); tsup keeps its `#!/usr/bin/env node` line and makes it executable. Its
 *   CJS build and declarations are by-products nobody imports.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    'cli/main': 'src/cli/main.ts',
    'cli/parity': 'src/cli/parity.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  outDir: 'dist',
  target: 'es2020',
  sourcemap: false,
  clean: true,
  splitting: true,
  external: [/^@tensorflow\//],
});
