/**
 * Benchmark of the convolution formulations of the grid blocks (`convFormulation`, see
 * `src/ops/convFormulation.ts`) and of the compiled inference model, side by side on one backend:
 * for one grid block and for the whole 5x5 model (cases in `bench/formulationCases.ts`), the forward
 * (inference) time and the training-step time of every formulation, the compiled model's forward
 * time, the achieved GFLOP/s (reference FLOP counting; a training step counts 3 x the forward) and
 * its ratio to the plain matMul GFLOP/s of the same backend measured in the same run (between the
 * cases, median). The numbers set `DEFAULT_CONV_FORMULATIONS`.
 *
 *   npx tsx bench/formulations.ts [--backend wasm|cpu|webgl|webgpu|browser-wasm] [--sizes small,official]
 *                                 [--formulations conv2d,matmul] [--items block,model] [--reps 3]
 *                                 [--no-compiled] [--json out.json] [--out bench/formulations-results.json]
 *
 * Each run replaces its backend's entry in `--out` (default `bench/formulations-results.json`), from
 * which `npm run docs:tables` writes the formulation table of docs/benchmarks.md; `--json` also
 * writes this run alone.
 *
 * Node backends run in this process, and rates use its CPU time (a shared machine's waiting for a
 * core is not counted; tfjs-backend-wasm is single-threaded in Node). Browser backends run in a
 * fresh headless Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium) and use wall-clock time.
 * Default sizes: wasm both; cpu, webgl and webgpu the small one (cpu runs ~1 GFLOP/s, and without a
 * GPU Chromium's WebGL/WebGPU run on SwiftShader, a CPU emulation); browser-wasm both.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CONV_FORMULATIONS, DEFAULT_CONV_FORMULATIONS, type ConvFormulation } from '../src/index.js';
import { CHROMIUM_PATH, runBrowserFormulationJob, serveBenchPage } from './browser/chromiumRunner.js';
import {
  runFormulationJob,
  type FormulationItem,
  type FormulationJob,
  type FormulationResult,
  type FormulationRun,
  FORMULATION_BACKENDS,
  type FormulationSize,
  type Timing,
} from './formulationCases.js';
import { machineInfo } from './machine.js';
import { median } from './statistics.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('bench/formulations');

const BROWSER_BACKENDS: Record<string, string> = { webgl: 'webgl', webgpu: 'webgpu', 'browser-wasm': 'wasm' };
const NODE_BACKENDS = ['wasm', 'cpu'];
/** Tensor memory a training step may use before it is split (wasm's heap stops at 4 GB). */
const MEMORY_BUDGET: Record<string, number> = { wasm: 2 * 2 ** 30, cpu: 3 * 2 ** 30, webgl: 1.5 * 2 ** 30, webgpu: 1.5 * 2 ** 30, 'browser-wasm': 2 * 2 ** 30 };
const FULL_SIZES = new Set(['wasm', 'browser-wasm']);
const JOB_TIMEOUT_MS = 60 * 60 * 1000;

function parseJob(argv: string[]): { job: FormulationJob; json: string | null; out: string } {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = <T extends string>(flag: string, allowed: readonly T[], fallback: T[]): T[] => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const items = raw.split(',') as T[];
    for (const it of items) if (!allowed.includes(it)) throw new Error(`${flag}: expected a comma list of ${allowed.join(', ')}, got ${raw}`);
    return items;
  };
  const backend = value('--backend') ?? 'wasm';
  const known = [...NODE_BACKENDS, ...Object.keys(BROWSER_BACKENDS)];
  if (!known.includes(backend)) throw new Error(`--backend: expected one of ${known.join(', ')}, got ${backend}`);
  const reps = Number(value('--reps') ?? 3);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected a positive integer, got ${value('--reps')}`);
  const job: FormulationJob = {
    backend,
    tfBackend: BROWSER_BACKENDS[backend] ?? backend,
    sizes: list<FormulationSize>('--sizes', ['small', 'official'], FULL_SIZES.has(backend) ? ['small', 'official'] : ['small']),
    items: list<FormulationItem>('--items', ['block', 'model'], ['block', 'model']),
    formulations: list<ConvFormulation>('--formulations', CONV_FORMULATIONS, [...CONV_FORMULATIONS]),
    compiled: !argv.includes('--no-compiled'),
    reps,
    matMulSize: backend === 'cpu' ? 512 : 1024,
    memoryBudgetBytes: MEMORY_BUDGET[backend],
  };
  return { job, json: value('--json') ?? null, out: value('--out') ?? 'bench/formulations-results.json' };
}

/** Wall-clock and process CPU time (user + system) of one call. */
async function timedWithCpu(fn: () => Promise<void>): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e3 };
}

async function runJob(job: FormulationJob): Promise<{ result: FormulationResult; environment: string }> {
  if (job.backend in BROWSER_BACKENDS) {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`--backend ${job.backend} needs Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
    const page = await serveBenchPage();
    try {
      const outcome = await runBrowserFormulationJob(page.url, job, JOB_TIMEOUT_MS);
      if (!outcome.result) throw new Error(`the browser job failed: ${outcome.error ?? 'no result came back'}`);
      const device = outcome.info?.device ? `, ${outcome.info.device}` : '';
      return { result: outcome.result, environment: `Chromium ${outcome.browserVersion}${device}` };
    } finally {
      await page.close();
    }
  }
  await tf.setBackend(job.tfBackend);
  await tf.ready();
  if (tf.getBackend() !== job.tfBackend) throw new Error(`backend ${job.tfBackend} is not available (got ${tf.getBackend()})`);
  const result = await runFormulationJob(job, { timed: timedWithCpu, log: (m) => console.error(m) });
  return { result, environment: `Node ${process.version}` };
}

function printTables(job: FormulationJob, result: FormulationResult, environment: string): void {
  const cpuClock = result.rows.some((r) => r.forward.some((t) => t.cpu !== null));
  const clock = (t: Timing) => (cpuClock && t.cpu !== null ? t.cpu : t.wall);
  const reference = median(result.matMulGflops);
  const auto = DEFAULT_CONV_FORMULATIONS[job.tfBackend] ?? 'conv2d';
  const range = `${Math.min(...result.matMulGflops).toFixed(2)}-${Math.max(...result.matMulGflops).toFixed(2)}`;
  console.log(`\n# convolution formulations on ${job.backend} (${environment}), auto picks '${auto}'`);
  console.log(
    `plain matMul ${job.matMulSize}^3: ${reference.toFixed(2)} GFLOP/s per ${cpuClock ? 'CPU' : 'wall-clock'} second ` +
      `(median of ${result.matMulGflops.length} runs, ${range}), measured between the cases; median of ${job.reps} timed repetitions after one warm-up\n`,
  );
  console.log(
    '| item | size | variant | forward ms (wall / CPU) | train step ms (wall / CPU) | forward GFLOP/s | train GFLOP/s | forward / matMul | train / matMul | case |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const ms = (ts: Timing[]) =>
    ts.length ? `${median(ts.map((t) => t.wall)).toFixed(0)} / ${cpuClock ? median(ts.map((t) => t.cpu ?? t.wall)).toFixed(0) : '-'}` : '-';
  for (const r of result.rows) {
    if (r.error) {
      console.log(`| ${r.item} | ${r.size} | ${r.variant} | failed: ${r.error} | | | | | | ${r.label} |`);
      continue;
    }
    const fRate = r.forward.length ? r.forwardGflop / (median(r.forward.map(clock)) / 1e3) : null;
    const tRate = r.train.length ? (3 * r.forwardGflop) / (median(r.train.map(clock)) / 1e3) : null;
    const pct = (v: number | null) => (v === null ? '-' : `${((100 * v) / reference).toFixed(0)} %`);
    const note = r.microBatch < r.batch ? `, micro-batch ${r.microBatch}` : '';
    console.log(
      `| ${r.item} | ${r.size} | ${r.variant} | ${ms(r.forward)} | ${ms(r.train)} | ${fRate?.toFixed(2) ?? '-'} | ${tRate?.toFixed(2) ?? '-'} | ${pct(fRate)} | ${pct(tRate)} | ${r.label}${note} |`,
    );
  }
  const compiled = result.rows.filter((r) => r.variant === 'compiled' && !r.error && r.forward.length);
  if (compiled.length) {
    console.log('\n| size | layers model forward ms | compiled forward ms | speed-up | max rel. logit difference |');
    console.log('|---|---|---|---|---|');
    for (const c of compiled) {
      const base = result.rows.find((r) => r.item === 'model' && r.size === c.size && r.variant === auto && r.forward.length);
      const [b, m] = [base ? median(base.forward.map(clock)) : NaN, median(c.forward.map(clock))];
      console.log(`| ${c.size} | ${b.toFixed(1)} | ${m.toFixed(1)} | ${(b / m).toFixed(2)}x | ${c.maxRelativeDifference?.toExponential(1) ?? '-'} |`);
    }
  }
}

async function main(): Promise<void> {
  const { job, json, out } = parseJob(process.argv.slice(2));
  const machine = machineInfo();
  const { result, environment } = await runJob(job);
  printTables(job, result, environment);
  const run: FormulationRun = {
    job,
    environment,
    date: new Date().toISOString().slice(0, 10),
    loadAverage: machine.loadAverage.start,
    cores: machine.cores,
    ...result,
  };
  if (json) writeFileSync(json, `${JSON.stringify(run, null, 1)}\n`);
  const runs = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { runs: FormulationRun[] }).runs.filter((r) => r.job.backend !== job.backend) : [];
  runs.push(run);
  runs.sort((a, b) => FORMULATION_BACKENDS.indexOf(a.job.backend) - FORMULATION_BACKENDS.indexOf(b.job.backend));
  writeFileSync(out, `${JSON.stringify({ note: 'Written by bench/formulations.ts: one entry per backend, the latest run.', runs }, null, 1)}\n`);
  console.log(`recorded in ${out}`);
}

await main();
