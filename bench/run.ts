/**
 * `npm run bench`: speed and memory of the official Ske2Grid architecture (COCO-17, 2 persons,
 * T=100, 60 classes; grids 5x5 / 6x6 / 8x8 with the reference stage lists) on every tfjs backend
 * this machine has: Node cpu and wasm (one child process per grid, so a wasm heap abort only ends
 * its own job), and WebGL, WebGPU and wasm in headless Chromium (a fresh browser per grid).
 *
 * Per backend and grid: the backend's plain matMul GFLOP/s, inference at batch 1 and 16
 * (`model.predict`, result read outside any tidy) and one training step at batch 16 (the library's
 * optimizer, loss and permutation sync, as `fitSke2Grid` trains), each as samples/s (median of the
 * timed calls after a warm-up), achieved GFLOP/s from the reference FLOP count, its share of the
 * matMul speed, peak tensor bytes and process memory. Prints one table per backend and writes every
 * row with the machine facts to JSON.
 *
 *   npm run bench -- [--backends cpu,wasm,webgl,webgpu,browser-wasm] [--grids 5,6,8] [--reps 3]
 *                    [--quick] [--out bench/results.json] [--frames T] [--all-cases]
 *                    [--item-budget 120] [--memory-budget 3600] [--only onnx]
 *
 * Then, in its own process, `bench/onnx.ts`: tfjs-wasm, tfjs-wasm compiled and onnxruntime-node
 * running the exported ONNX graph (5x5, T=100, batch 1 and 16) into `bench/onnx-results.json`;
 * `--only onnx` runs just that part (a few minutes).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, runBrowserJob, serveBenchPage, type BenchPage } from './browser/chromiumRunner.js';
import type { PageInfo } from './browser/pageEntry.js';
import { REFERENCE_GFLOP, TRAINING_FLOP_FACTOR, checkAgainstReferenceTable } from './flops.js';
import { finishMachineInfo, machineInfo } from './machine.js';
import { emptyRow, type BenchItem, type BenchRow, type GridJob } from './measure.js';
import { parseOptions, planJobs, type BenchOptions } from './plan.js';
import { PYTORCH_ANCHOR, backendTable, pytorchComparison } from './report.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('bench');

/** Longest a single (backend, grid) job may run. */
const JOB_TIMEOUT_MS = 45 * 60 * 1000;
const here = dirname(fileURLToPath(import.meta.url));

/** Runs a Node job in a child process; resolves to an error text when the child did not finish cleanly. */
function runNodeJob(job: GridJob, onRow: (row: BenchRow) => void): Promise<string | null> {
  const dir = mkdtempSync(join(tmpdir(), 'ske2grid-bench-'));
  const rowsFile = join(dir, 'rows.jsonl');
  writeFileSync(rowsFile, '');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'nodeWorker.ts'), JSON.stringify(job), rowsFile], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    const tail: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l.trim()),
      );
      tail.splice(0, Math.max(tail.length - 5, 0));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), JOB_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const line of readFileSync(rowsFile, 'utf8').split('\n')) if (line.trim()) onRow(JSON.parse(line) as BenchRow);
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(null);
      else resolve(`worker process ended with ${signal ? `signal ${signal}` : `code ${code}`}: ${tail.slice(-2).join(' | ').slice(0, 200)}`);
    });
  });
}

/** Runs `bench/onnx.ts` (tfjs-wasm against onnxruntime-node) in a child process, its table on stdout; resolves to its exit code. */
function runOnnxBench(options: BenchOptions): Promise<number> {
  const args = options.quick ? ['--frames', '8', '--reps', '1', '--out', 'bench/onnx-results-quick.json'] : ['--reps', String(Math.max(options.reps, 5))];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'onnx.ts'), ...args], { stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** A row with `status` for every item of `job` that produced none in `got`. */
function missingRows(job: GridJob, got: BenchRow[], status: 'failed' | 'skipped', reason: string): BenchRow[] {
  const expected: [BenchItem, number | null][] = [['matMul', null], ...job.cases.map((c) => [c.item, c.batch] as [BenchItem, number])];
  const missing: BenchRow[] = [];
  for (const [item, batch] of expected) {
    if (got.some((r) => r.item === item && r.batch === batch)) continue;
    const row = emptyRow(job, item, batch);
    row.status = status;
    if (status === 'failed') row.error = reason;
    else row.notes.push(reason);
    missing.push(row);
  }
  return missing;
}

function writeResults(path: string, options: BenchOptions, machine: ReturnType<typeof machineInfo>, pages: Record<string, PageInfo>, rows: BenchRow[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const results = {
    description:
      'ske2grid benchmark (npm run bench): official Ske2Grid architecture (COCO-17, 2 persons, 60 classes); samples/s are medians of the timed calls after a warm-up; ' +
      `GFLOP from the reference FLOP count (forward per sample at T=100: ${JSON.stringify(REFERENCE_GFLOP)}; training = ${TRAINING_FLOP_FACTOR} x forward).`,
    machine,
    options,
    pytorchAnchorSamplesPerSecond: PYTORCH_ANCHOR,
    browserPages: pages,
    rows,
  };
  writeFileSync(path, `${JSON.stringify(results, null, 1)}\n`);
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  if (options.only === 'onnx') {
    process.exitCode = await runOnnxBench(options);
    return;
  }
  checkAgainstReferenceTable();
  const machine = machineInfo();
  const jobs = planJobs(options);
  const rows: BenchRow[] = [];
  const pages: Record<string, PageInfo> = {};
  let served: BenchPage | null = null;
  console.error(
    `ske2grid bench: ${jobs.length} jobs (${options.backends.join(', ')}; grids ${options.grids.join(', ')}), load average ${machine.loadAverage.start.toFixed(2)}`,
  );

  try {
    for (const [i, job] of jobs.entries()) {
      console.error(`\n[${i + 1}/${jobs.length}] ${job.backend} ${job.grid}x${job.grid}, T=${job.frames}`);
      const got: BenchRow[] = [];
      let failure: string | null;
      if (job.environment === 'node') {
        failure = await runNodeJob(job, (r) => got.push(r));
      } else if (!existsSync(CHROMIUM_PATH)) {
        got.push(...missingRows(job, [], 'skipped', `needs Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`));
        failure = null;
      } else {
        served ??= await serveBenchPage();
        const result = await runBrowserJob(served.url, job, (r) => got.push(r), JOB_TIMEOUT_MS);
        machine.chromium = result.browserVersion;
        if (result.info) pages[job.backend] = result.info;
        failure = result.error ?? null;
      }
      if (failure) console.error(`  job ended early: ${failure}`);
      rows.push(...got, ...missingRows(job, got, 'failed', failure ?? 'no result came back'));
      writeResults(options.out, options, machine, pages, rows);
      const last = jobs[i + 1]?.backend !== job.backend;
      if (last) console.log(`\n${backendTable(job.backend, rows)}\n`);
    }
  } finally {
    await served?.close();
  }
  finishMachineInfo(machine);
  writeResults(options.out, options, machine, pages, rows);

  const comparison = pytorchComparison(rows);
  console.log(
    `\n## ske2grid benchmark, ${machine.startedAt.slice(0, 10)}: ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}, tfjs ${machine.packages['@tensorflow/tfjs-core']}${machine.chromium ? `, Chromium ${machine.chromium}` : ''}`,
  );
  console.log(
    `Load average (1 min) ${machine.loadAverage.start.toFixed(2)} at the start, ${machine.loadAverage.end?.toFixed(2)} at the end; all rows in ${options.out}.\n`,
  );
  for (const backend of options.backends) console.log(`${backendTable(backend, rows)}\n`);
  if (comparison) console.log(`${comparison}\n`);
  console.error('\n[onnx] tfjs-wasm against onnxruntime-node (bench/onnx.ts)');
  const onnxCode = await runOnnxBench(options);
  if (onnxCode !== 0) console.error(`  bench/onnx.ts ended with code ${onnxCode}`);
}

await main();
