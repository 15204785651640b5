/**
 * Runs benchmark jobs in headless Chromium (Node side): bundles `pageEntry.ts` with esbuild into a
 * temporary folder, serves it and the tfjs wasm binaries with a small local HTTP server, and runs
 * each job in a freshly launched browser (so a crash or the memory of one job does not touch the
 * next), collecting the rows the page emits. Rows get the Chromium process tree's resident memory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright';
import type { FormulationJob, FormulationResult } from '../formulationCases.js';
import type { BenchRow, GridJob } from '../measure.js';
import { treeMemory } from '../processMemory.js';
import type { PageInfo } from './pageEntry.js';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../../src/index.js';

/** The Chromium binary: `CHROMIUM_PATH`, default Debian's `/usr/bin/chromium` (playwright never downloads one here). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags for headless Chromium: root needs no sandbox; WebGPU must be enabled explicitly; no background network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-precise-memory-info',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--component-update=false',
  '--disable-component-update',
  '--disable-sync',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
];

/** A served benchmark page. */
export interface BenchPage {
  url: string;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles the page and starts serving it (and `/wasm/*.wasm`) on 127.0.0.1 at a free port. */
export async function serveBenchPage(): Promise<BenchPage> {
  const dir = mkdtempSync(join(tmpdir(), 'ske2grid-bench-'));
  await build({
    entryPoints: [join(here, 'pageEntry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    outfile: join(dir, 'bench.js'),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>ske2grid bench</title><script type="module" src="/bench.js"></script>\n');
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let file: string | null = null;
    let type = 'text/plain';
    if (path === '/' || path === '/index.html') [file, type] = [join(dir, 'index.html'), 'text/html'];
    else if (path === '/bench.js') [file, type] = [join(dir, 'bench.js'), 'text/javascript'];
    else if (/^\/wasm\/[\w.-]+\.wasm$/.test(path)) [file, type] = [join(wasmDir, basename(path)), 'application/wasm'];
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    try {
      if (!file) throw new Error('not found');
      const body = readFileSync(file);
      // Cross-origin isolated, so the wasm backend starts its threads where the machine allows.
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...CROSS_ORIGIN_ISOLATION_HEADERS });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Result of one browser job: the page's facts, or the error that ended it (rows emitted before it are kept). */
export interface BrowserJobResult {
  info: PageInfo | null;
  browserVersion: string;
  error?: string;
}

/** Launches Chromium, runs `job` in the page at `url`, and passes each row (with process memory added) to `onRow`. */
export async function runBrowserJob(url: string, job: GridJob, onRow: (row: BenchRow) => void, timeoutMs: number): Promise<BrowserJobResult> {
  let lastCompilerError: string | null = null;
  return inBenchPage(
    url,
    timeoutMs,
    (text) => (lastCompilerError = text),
    async (page) => {
      await page.exposeFunction('benchEmit', (row: BenchRow) => {
        row.memory = { ...row.memory, ...treeMemory(process.pid) };
        if (row.status === 'failed' && lastCompilerError && !(row.error ?? '').includes(lastCompilerError.slice(0, 40)))
          row.error = `${row.error ?? ''} [${lastCompilerError}]`;
        lastCompilerError = null;
        onRow(row);
      });
      return () => page.evaluate((j) => (window as unknown as { ske2gridBench(j: unknown): Promise<PageInfo> }).ske2gridBench(j), job);
    },
  );
}

/** Launches Chromium and runs a formulation job in the page at `url` (see `bench/formulationCases.ts`). */
export async function runBrowserFormulationJob(
  url: string,
  job: FormulationJob,
  timeoutMs: number,
): Promise<BrowserJobResult & { result?: FormulationResult }> {
  let result: FormulationResult | undefined;
  const outcome = await inBenchPage(
    url,
    timeoutMs,
    () => undefined,
    async (page) => async () => {
      const got = await page.evaluate(
        (j) => (window as unknown as { ske2gridFormulations(j: unknown): Promise<{ info: PageInfo; result: FormulationResult }> }).ske2gridFormulations(j),
        job,
      );
      result = got.result;
      return got.info;
    },
  );
  return { ...outcome, result };
}

/**
 * Launches a fresh headless Chromium, opens the page, lets `setup` prepare it (bindings) and return
 * the call to run; races that call against a page crash and the timeout. Progress lines the page
 * logs with `@bench ` go to stderr; the first lines of shader compiler errors go to `onCompilerError`.
 */
async function inBenchPage(
  url: string,
  timeoutMs: number,
  onCompilerError: (text: string) => void,
  setup: (page: Page) => Promise<() => Promise<PageInfo>>,
): Promise<BrowserJobResult> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const browserVersion = browser.version();
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith('@bench ')) process.stderr.write(`  ${text.slice(7)}\n`);
      else if (/ERROR: \d+:\d+|Error while parsing WGSL/.test(text)) onCompilerError(text.split('\n').slice(0, 2).join(' ').replace(/\s+/g, ' ').slice(0, 240));
    });
    const call = await setup(page);
    await page.goto(url);
    await page.waitForFunction(() => typeof (window as unknown as { ske2gridBench?: unknown }).ske2gridBench === 'function');
    const crashed = new Promise<never>((_, reject) => page.on('crash', () => reject(new Error('the page crashed (renderer out of memory?)'))));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`job timed out after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    });
    try {
      const info = await Promise.race([call(), crashed, timedOut]);
      return { info, browserVersion };
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    return { info: null, browserVersion, error: String((e as Error).message ?? e).split('\n')[0] };
  } finally {
    await browser.close().catch(() => undefined);
  }
}
