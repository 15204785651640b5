/**
 * Command-line options of `npm run bench` and the jobs they expand to: per backend, the frame count,
 * the cases and the matMul size. Slow backends (the pure-JS cpu backend, WebGL/WebGPU emulated on
 * the CPU by SwiftShader) run shorter clips and fewer cases by default, marked in every row.
 */
import type { BenchCase, GridJob } from './measure.js';

/** Backends `npm run bench` knows. */
export const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu', 'browser-wasm'] as const;
/** A backend of {@link BACKENDS}. */
export type BenchBackend = (typeof BACKENDS)[number];

/** Parsed command line. */
export interface BenchOptions {
  /** Backends to run, in order; default all of {@link BACKENDS}. */
  backends: BenchBackend[];
  /** Grid sides; default 5, 6, 8. */
  grids: number[];
  /** Timed repetitions per case; default 3 (1 with `quick`). */
  reps: number;
  /** Smoke-test sizes: T=8, 1 repetition, small budgets; default false. */
  quick: boolean;
  /** JSON output; default `bench/results.json` (`bench/results-quick.json` with `quick`). */
  out: string;
  /** Frames for every backend instead of the per-backend defaults; default none. */
  frames: number | null;
  /** Run every case on every backend, also the slow ones; default false. */
  allCases: boolean;
  /** Time budget of the timed repetitions of one case, seconds; default 120 (20 with `quick`). */
  itemBudgetS: number;
  /** Memory budget of one training step, MiB (above it: gradient accumulation); default 3600 (the wasm heap is 4096). */
  memoryBudgetMiB: number;
  /** Run only one part: `'onnx'` (tfjs-wasm against onnxruntime-node, `bench/onnx.ts`); default null (everything). */
  only: 'onnx' | null;
}

const USAGE = `npm run bench -- [--backends ${BACKENDS.join(',')}] [--grids 5,6,8] [--reps N] [--quick]
                   [--out bench/results.json] [--frames T] [--all-cases] [--item-budget S] [--memory-budget MiB] [--only onnx]`;

/** The `--only` value: absent (null) or `onnx`. */
function onlyPart(raw: string | undefined): 'onnx' | null {
  if (raw === undefined) return null;
  if (raw !== 'onnx') throw new Error(`--only: expected onnx, got ${JSON.stringify(raw)}\nusage: ${USAGE}`);
  return raw;
}

/** Parses `argv` (without node and script); throws a usage error on unknown or malformed flags. */
export function parseOptions(argv: string[]): BenchOptions {
  const values = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(flag)}\nusage: ${USAGE}`);
    const [name, inline] = flag.slice(2).split('=', 2);
    if (['quick', 'all-cases', 'help'].includes(name)) values.set(name, true);
    else {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${name}: expected a value\nusage: ${USAGE}`);
      values.set(name, v);
    }
  }
  const known = ['backends', 'grids', 'reps', 'quick', 'out', 'frames', 'all-cases', 'item-budget', 'memory-budget', 'only', 'help'];
  for (const k of values.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k}\nusage: ${USAGE}`);
  if (values.has('help')) throw new Error(`usage: ${USAGE}`);
  const str = (k: string) => values.get(k) as string | undefined;
  const int = (k: string, fallback: number, min: number) => {
    const raw = str(k);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${k}: expected an integer >= ${min}, got ${JSON.stringify(raw)}`);
    return v;
  };
  const quick = values.has('quick');
  const backends = (str('backends') ?? BACKENDS.join(',')).split(',').map((b) => b.trim());
  for (const b of backends)
    if (!(BACKENDS as readonly string[]).includes(b)) throw new Error(`--backends: expected some of ${BACKENDS.join(', ')}, got ${JSON.stringify(b)}`);
  const grids = (str('grids') ?? '5,6,8').split(',').map(Number);
  for (const g of grids)
    if (!Number.isInteger(g) || g < 5 || g > 8) throw new Error(`--grids: expected sides from 5 to 8, got ${JSON.stringify(str('grids'))}`);
  return {
    backends: backends as BenchBackend[],
    grids,
    reps: int('reps', quick ? 1 : 3, 1),
    quick,
    out: str('out') ?? (quick ? 'bench/results-quick.json' : 'bench/results.json'),
    frames: str('frames') === undefined ? null : int('frames', 100, 1),
    allCases: values.has('all-cases'),
    itemBudgetS: int('item-budget', quick ? 20 : 120, 1),
    memoryBudgetMiB: int('memory-budget', 3600, 64),
    only: onlyPart(str('only')),
  };
}

/** Per-backend defaults: frames, cases, matMul size, and why they differ from the official setting. */
interface BackendDefaults {
  tfBackend: string;
  environment: 'node' | 'chromium';
  frames: number;
  /** Reason for fewer frames or cases (shown in the table), or null for the full official setting. */
  reduced: string | null;
  /** Cases run by default (others are listed as skipped); `first` is true for the first grid of the run. */
  runs: (c: BenchCase, first: boolean) => boolean;
  /** Most timed repetitions and budget per case (s) on this backend, or null for the options'. */
  maxReps: number | null;
  maxBudgetS: number | null;
  matMulSize: number;
  memoryEstimate: 'probe' | 'analytic';
  marks: string[];
}

/** Why WebGL/WebGPU rows have no peak tensor bytes. */
const NO_PEAK = 'no peak tensor bytes (tf.profile would read back or submit every kernel on its own)';

const ALL_CASES: BenchCase[] = [
  { item: 'inference', batch: 1 },
  { item: 'inference', batch: 16 },
  { item: 'training', batch: 16 },
];

function defaultsFor(backend: BenchBackend, quick: boolean): BackendDefaults {
  const all = () => true;
  // Emulated GPUs: batch 1 on every grid; batch 16 and the training step on the first grid only (none with --quick).
  const emulatedRuns = (c: BenchCase, first: boolean) => c.batch === 1 || (first && !quick);
  const emulatedScope = quick ? 'batch-1 inference only' : 'batch 16 and training on the first grid only';
  switch (backend) {
    case 'wasm':
      return {
        tfBackend: 'wasm',
        environment: 'node',
        frames: 100,
        reduced: null,
        runs: all,
        maxReps: null,
        maxBudgetS: null,
        matMulSize: 1024,
        memoryEstimate: 'probe',
        marks: ['wasm SIMD, 1 thread (Node)'],
      };
    case 'browser-wasm':
      return {
        tfBackend: 'wasm',
        environment: 'chromium',
        frames: 100,
        reduced: null,
        runs: all,
        maxReps: null,
        maxBudgetS: null,
        matMulSize: 1024,
        memoryEstimate: 'probe',
        marks: ['wasm in headless Chromium'],
      };
    case 'cpu':
      return {
        tfBackend: 'cpu',
        environment: 'node',
        frames: 10,
        reduced: 'pure-JS cpu backend, about 1 GFLOP/s or less here: short clips, batch-1 inference only',
        runs: (c) => c.item === 'inference' && c.batch === 1,
        maxReps: null,
        maxBudgetS: null,
        matMulSize: quick ? 256 : 512,
        memoryEstimate: 'analytic',
        marks: ['pure JS'],
      };
    case 'webgl':
      return {
        tfBackend: 'webgl',
        environment: 'chromium',
        frames: 10,
        reduced: `WebGL on SwiftShader, a GPU emulated on the CPU: short clips, at most 2 timed calls, ${emulatedScope}`,
        runs: emulatedRuns,
        maxReps: 2,
        maxBudgetS: 60,
        matMulSize: 512,
        memoryEstimate: 'analytic',
        marks: ['SwiftShader (emulated GPU)', NO_PEAK],
      };
    case 'webgpu':
      return {
        tfBackend: 'webgpu',
        environment: 'chromium',
        frames: 4,
        reduced: `WebGPU on SwiftShader, a GPU emulated on the CPU at ~0.3 GFLOP/s: very short clips, at most 2 timed calls, ${emulatedScope}`,
        runs: emulatedRuns,
        maxReps: 2,
        maxBudgetS: 60,
        matMulSize: 256,
        memoryEstimate: 'analytic',
        marks: ['SwiftShader (emulated GPU)', NO_PEAK],
      };
  }
}

/** The jobs of a run: one per (backend, grid), in the order given. */
export function planJobs(options: BenchOptions): GridJob[] {
  const jobs: GridJob[] = [];
  for (const backend of options.backends) {
    const d = defaultsFor(backend, options.quick);
    const frames = options.frames ?? (options.quick ? Math.min(d.frames, 8) : d.frames);
    const marks = [...d.marks];
    if (frames !== 100) marks.push(`T=${frames} (official: 100)`);
    if (d.reduced) marks.push(d.reduced);
    options.grids.forEach((grid, g) => {
      const cases = ALL_CASES.map((c) => ({
        ...c,
        skip: options.allCases || d.runs(c, g === 0) ? undefined : 'skipped by default (slow backend; --all-cases runs it)',
      }));
      jobs.push({
        backend,
        tfBackend: d.tfBackend,
        environment: d.environment,
        grid,
        frames,
        cases,
        reps: Math.min(options.reps, d.maxReps ?? Infinity),
        itemBudgetMs: Math.min(options.itemBudgetS, d.maxBudgetS ?? Infinity) * 1000,
        matMulSize: options.quick ? Math.min(d.matMulSize, 512) : d.matMulSize,
        memoryBudgetBytes: options.memoryBudgetMiB * 2 ** 20,
        profileWarmup: d.environment === 'node' || d.tfBackend === 'wasm',
        memoryEstimate: d.memoryEstimate,
        marks,
      });
    });
  }
  return jobs;
}
