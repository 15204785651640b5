/**
 * The browser example (examples/browser): the committed model and clip agree in Node, and the page,
 * built with esbuild and served on the loopback interface, classifies the clip in headless Chromium
 * (launched by playwright) on every backend it offers, reports the backend it runs on, and draws a
 * non-blank screenshot. Screenshots are left in the OS temp folder for a look.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrowserExample, BROWSER_EXAMPLE_ROOT } from '../../examples/browser/build.js';
import { exampleMetadata, parseExampleSequence } from '../../examples/browser/exampleData.js';
import { serveStatic, type StaticServer } from '../../examples/browser/staticServer.js';
import { Ske2GridError } from '../../src/errors.js';
import { argmax } from '../../src/training/metrics.js';
import { loadModel } from '../../src/node.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, HAS_CHROMIUM } from '../../scripts/chromium.js';

const chromiumPath = CHROMIUM_PATH;
const hasChromium = HAS_CHROMIUM;
const chromiumArgs = [...CHROMIUM_ARGS];
const sequence = parseExampleSequence(JSON.parse(readFileSync(join(BROWSER_EXAMPLE_ROOT, 'sequence.json'), 'utf8')));

describe('browser example: committed model and clip', () => {
  it('are small, load in Node and give the recorded probabilities, predicting the clip label (cpu)', async () => {
    await tf.setBackend('cpu');
    const modelDir = join(BROWSER_EXAMPLE_ROOT, 'model');
    const bytes = ['model.json', 'weights.bin'].reduce((n, f) => n + statSync(join(modelDir, f)).size, 0);
    expect(bytes).toBeLessThan(1_000_000);
    const before = tf.memory().numTensors;
    const model = await loadModel(modelDir);
    const meta = exampleMetadata(model);
    expect(meta.classes[sequence.label]).toBe(sequence.labelName);
    expect(meta.gridShape).toEqual([5, 5]);
    const probabilities = tf.tidy(() => tf.softmax(model.predict(tf.tensor(sequence.keypoints, [1, ...sequence.shape])) as tf.Tensor).dataSync());
    expect(probabilities.length).toBe(meta.classes.length);
    probabilities.forEach((p, k) => expect(p).toBeCloseTo(sequence.expectedProbabilities[k], 5));
    expect(argmax(probabilities)).toBe(sequence.label);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a malformed clip with an error naming the field', () => {
    expect(() => parseExampleSequence({ ...sequence, keypoints: sequence.keypoints.slice(1) })).toThrow(Ske2GridError);
    expect(() => parseExampleSequence({ ...sequence, keypoints: sequence.keypoints.slice(1) })).toThrow(
      /sequence\.json keypoints: expected 1632 finite numbers/,
    );
    expect(() => parseExampleSequence({ ...sequence, shape: [1, 32, 25, 3] })).toThrow(/sequence\.json shape/);
  });
});

describe.skipIf(!hasChromium)(`browser example page in headless Chromium (needs Chromium at ${chromiumPath}; set CHROMIUM_PATH)`, () => {
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    await buildBrowserExample();
    server = await serveStatic(BROWSER_EXAMPLE_ROOT);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the page (`query` e.g. `?backend=wasm`) and waits until it is done or shows an error. */
  async function open(query: string): Promise<{ page: Page; data: Record<string, string | undefined> }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + query);
    await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { timeout: 90_000 });
    const data = await page.$eval('#result', (e) => ({ ...(e as HTMLElement).dataset }));
    expect(errors).toEqual([]);
    return { page, data };
  }

  for (const [query, backend] of [
    ['', 'webgl'],
    ['?backend=wasm', 'wasm'],
    ['?backend=cpu', 'cpu'],
    ['?backend=webgpu', 'webgpu'],
  ] as const) {
    it(`classifies the clip on ${backend}${query ? '' : ' (the default)'} with the recorded probabilities`, async () => {
      const { page, data } = await open(query);
      try {
        expect(data.error).toBeUndefined();
        expect(data.state).toBe('done');
        expect(data.backend).toBe(backend);
        // The example server sends COOP/COEP: the page is isolated, so wasm threads can start.
        expect(data.crossOriginIsolated).toBe('true');
        if (backend === 'wasm') {
          const threads = Number(data.wasmThreads);
          const cores = await page.evaluate(() => navigator.hardwareConcurrency);
          expect(threads).toBe(Math.max(1, Math.min(8, Math.floor(cores / 2))));
          expect(await page.textContent('#backend')).toBe(`wasm, ${threads} thread(s)`);
        } else expect(await page.textContent('#backend')).toBe(backend);
        expect(data.predicted).toBe(sequence.labelName);
        const probabilities = JSON.parse(data.probabilities!) as number[];
        probabilities.forEach((p, k) => expect(Math.abs(p - sequence.expectedProbabilities[k])).toBeLessThan(1e-4));
        expect(await page.locator('#grid svg rect.cell').count()).toBe(25);
        expect(await page.locator('#bars .bar-row').count()).toBe(probabilities.length);
        expect(await page.locator('#bars .predicted').getAttribute('data-class')).toBe(sequence.labelName);
        if (backend === 'webgl') await checkScreenshot(page);
      } finally {
        await page.close();
      }
    });
  }

  it('shows an error naming the argument for an unknown backend', async () => {
    const { page, data } = await open('?backend=opengl');
    expect(data.state).toBe('error');
    expect(data.error).toBe('?backend: expected one of webgl, wasm, webgpu, cpu, got "opengl"');
    expect(await page.isVisible('#error')).toBe(true);
    await page.close();
  });
});

/**
 * The skeleton canvas has drawn strokes, and the whole screenshot is neither blank nor flat: PNG size,
 * the number of distinct colours and the spread of luminance (decoded by the browser itself).
 */
async function checkScreenshot(page: Page): Promise<void> {
  const inked = await page.$eval('#skeleton', (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
  expect(inked).toBeGreaterThan(2000);
  const png = await page.screenshot({ fullPage: true });
  writeFileSync(join(tmpdir(), 'ske2grid-browser-example.png'), png);
  expect(png.byteLength).toBeGreaterThan(30_000);
  const stats = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const colours = new Set<number>();
    let sum = 0,
      sq = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      const y = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
      sum += y;
      sq += y * y;
    }
    return { width: img.width, colours: colours.size, std: Math.sqrt(sq / n - (sum / n) ** 2) };
  }, png.toString('base64'));
  expect(stats.width).toBe(1280);
  expect(stats.colours).toBeGreaterThan(500);
  expect(stats.std).toBeGreaterThan(10);
}
