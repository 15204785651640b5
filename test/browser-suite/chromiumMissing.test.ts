/**
 * Stand-in for the browser suite when no Chromium is installed (see vitest.config.ts): it shows up
 * as one skipped test in the report instead of the browser project silently disappearing.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, HAS_CHROMIUM } from '../../scripts/chromium.js';

const chromium = CHROMIUM_PATH;
const present = HAS_CHROMIUM;

describe('browser suite (webgl, webgpu, wasm in headless Chromium)', () => {
  it.skipIf(!present)(`needs Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`, () => {
    expect(existsSync(chromium)).toBe(true);
  });
});
