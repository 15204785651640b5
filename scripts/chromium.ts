/**
 * The headless Chromium every browser run of this repository uses (the browser test suite, the
 * browser example's test and the browser benchmarks): Debian's binary, never a downloaded one.
 */
import { existsSync } from 'node:fs';

/** The Chromium binary: `CHROMIUM_PATH`, default Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Whether {@link CHROMIUM_PATH} exists on this machine. */
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

/** Flags: root needs no sandbox, WebGPU needs the unsafe flag, the rest stop network noise. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);
