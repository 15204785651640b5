/**
 * `npm run docs:tables`: writes the generated sections of the README and the guides from the files
 * that hold the numbers and from the code, so the prose never disagrees with them. A section is
 * everything between `<!-- docs:tables NAME -->` and `<!-- /docs:tables NAME -->`; NAME is one of
 * {@link SECTIONS}. `test/docs/generatedTables.test.ts` fails when a section is stale.
 *
 *   npm run docs:tables            # rewrite the sections
 *   npm run docs:tables -- --check # exit 1 and name the stale sections, write nothing
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { demoTable, type DemoResults } from '../examples/demoResults.js';
import { defineLayout } from '../src/layouts/skeletonLayout.js';
import { resolveConfig, type Ske2GridConfig } from '../src/model/config.js';
import type { FormulationRun } from '../bench/formulationCases.js';
import { median } from '../bench/statistics.js';
import { setUpScript } from './scriptSetup.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Files with generated sections. */
export const GENERATED_FILES = ['README.md', 'docs/faq.md', 'docs/benchmarks.md', 'docs/limits.md', 'docs/deployment.md'];

/** One row of `bench/accuracy-results.json` (written by `bench/accuracy.ts`). */
export interface AccuracyRow {
  dataset: string;
  protocol: string;
  fold: number | null;
  stream: string;
  model: string;
  grid: string;
  epochs: number;
  top1: number;
  meanClassAccuracy: number;
  trainSeconds: number;
}

/** One row of `bench/parity-results.json` (written by `npm run parity:report`). */
export interface ParityRow {
  fixture: string;
  backend: string;
  equal: boolean;
  forwardMaxrel: number;
  gradientMaxrelBeforeFlips: number;
  gradientMaxrelAfterFlips: number | null;
  flips: { variant: string; block: number; relu: string; input: number }[];
}

const readJson = <T>(file: string): T => {
  const path = `${ROOT}${file}`;
  if (!existsSync(path)) throw new Error(`${file}: missing (the results file this section is generated from)`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
};
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

const DATASET_NAMES: Record<string, string> = { nw_ucla: 'NW-UCLA', msr_action3d: 'MSR Action3D', sbu: 'SBU Kinect Interaction', utkinect: 'UTKinect' };
const STREAM_NAMES: Record<string, string> = { j: 'joint', b: 'bone', 'j+b': 'joint + bone ensemble' };

/** The demo table and its run, from `examples/demo-results.json`. */
export function demoSection(results: DemoResults = readJson<DemoResults>('examples/demo-results.json')): string {
  return [
    ...demoTable(results),
    '',
    `Seed ${results.seed}, \`--epochs ${results.epochs}\`, ${results.backend} backend, ${results.trainClips} train / ${results.testClips} test clips of ${results.classes} classes; ` +
      `${results.seconds} s in total (recorded in \`examples/demo-results.json\`).`,
  ].join('\n');
}

/** The accuracy table, from `bench/accuracy-results.json` (cross-validation folds folded into their mean row). */
export function accuracySection(rows: AccuracyRow[] = readJson<{ rows: AccuracyRow[] }>('bench/accuracy-results.json').rows): string {
  const order = (r: AccuracyRow) => [r.dataset, r.stream.length, r.stream, r.grid, r.model].join('|');
  const main = rows.filter((r) => r.fold === null).sort((a, b) => order(a).localeCompare(order(b)));
  const lines = ['| dataset, protocol | stream | model | grid | epochs | top-1 | mean class acc |', '|---|---|---|---|---|---|---|'];
  for (const r of main) {
    const folds = rows.filter((f) => f.fold !== null && f.dataset === r.dataset && f.protocol.startsWith(r.protocol.split(' ')[0]) && f.stream === r.stream);
    const foldText = folds.length ? ` (folds ${folds.map((f) => (f.top1 * 100).toFixed(1)).join(' / ')})` : '';
    lines.push(
      `| ${DATASET_NAMES[r.dataset] ?? r.dataset}, ${r.protocol.replace(/_/g, ' ')} | ${STREAM_NAMES[r.stream] ?? r.stream} | ${r.model} | ${r.grid} | ${r.model.includes('PLS') ? `+${r.epochs}` : r.epochs} | ${pct(r.top1)}${foldText} | ${pct(r.meanClassAccuracy)} |`,
    );
  }
  return lines.join('\n');
}

/** The parity table, from `bench/parity-results.json`. */
export function paritySection(rows: ParityRow[] = readJson<{ rows: ParityRow[] }>('bench/parity-results.json').rows): string {
  const lines = ['| fixture | backend | verdict | forward | gradients | ReLU units flipped | gradients after the flip |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const flips = r.flips.map((f) => `${f.variant}: block ${f.block} ${f.relu}, input ${f.input.toExponential(1)}`).join('; ') || 'none';
    const after = r.gradientMaxrelAfterFlips === null ? '-' : r.gradientMaxrelAfterFlips.toExponential(1);
    lines.push(
      `| ${r.fixture} | ${r.backend} | ${r.equal ? 'equal' : 'differs'} | ${r.forwardMaxrel.toExponential(1)} | ${r.gradientMaxrelBeforeFlips.toExponential(1)} | ${flips} | ${after} |`,
    );
  }
  return lines.join('\n');
}

/** One row of `bench/auto-recipe-results.json` (written by `bench/autoRecipe.ts`). */
export interface AutoRecipeRow {
  dataset: string;
  protocol: string;
  /** Folds averaged (0: one split). */
  folds: number;
  clipLength: number;
  batchSize: number;
  rotationDegrees: number;
  stages: { grid: number; epochs: number; learningRate: number }[];
  /** Test results per grid stage (the fold mean for a protocol with folds); the last is the model `train` saves. */
  results: { grid: string; top1: number; meanClassAccuracy: number; trainSeconds: number }[];
  /** Wall-clock seconds of the whole `ske2grid train` run; so far, for an incomplete run. */
  wallSeconds: number;
  /** False when the run had not finished: `results` then hold only the finished stages and folds. */
  complete?: boolean;
  /** Folds finished, for an incomplete run of a protocol with folds. */
  foldIndices?: number[];
  backend: string;
  date: string;
}

const AUTO_DATASET_NAMES: Record<string, string> = { ...DATASET_NAMES, jhmdb_partial14: 'JHMDB (14 classes, 2D)' };

/**
 * The best hand-tuned joint-stream result of `dataset` in `bench/accuracy-results.json`: the fold mean
 * row, or with `folds` the mean of exactly those folds' rows (to set beside an incomplete run).
 */
export function bestHandTuned(dataset: string, hand: AccuracyRow[], folds?: number[]): AccuracyRow | undefined {
  const joint = hand.filter((r) => r.dataset === dataset && r.stream === 'j');
  if (folds) {
    const same = joint.filter((r) => r.fold !== null && folds.includes(r.fold));
    if (same.length !== folds.length || same.length === 0) return undefined;
    return { ...same[0]!, fold: null, top1: same.reduce((a, r) => a + r.top1, 0) / same.length };
  }
  return joint.filter((r) => r.fold === null).sort((a, b) => b.top1 - a.top1)[0];
}

/** The automatic-recipe table, from `bench/auto-recipe-results.json` beside `bench/accuracy-results.json`. */
export function autoRecipeSection(
  rows: AutoRecipeRow[] = readJson<{ rows: AutoRecipeRow[] }>('bench/auto-recipe-results.json').rows,
  hand: AccuracyRow[] = readJson<{ rows: AccuracyRow[] }>('bench/accuracy-results.json').rows,
): string {
  const lines = [
    '| dataset, protocol | automatic recipe | top-1 per grid stage | saved model (last stage) | best hand-tuned | difference | wall time |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const last = r.results[r.results.length - 1]!;
    const best = bestHandTuned(r.dataset, hand, r.complete === false ? r.foldIndices : undefined);
    const folds = r.folds ? (r.complete === false ? ` (folds ${r.foldIndices?.join(', ')} of ${r.folds} only)` : ` (mean of ${r.folds} folds)`) : '';
    const recipe = `T ${r.clipLength}, batch ${r.batchSize}, rotation ${r.rotationDegrees}; ${r.stages.map((st) => `${st.grid}x${st.grid} ${st.epochs} ep. lr ${st.learningRate}`).join(', ')}`;
    lines.push(
      `| ${AUTO_DATASET_NAMES[r.dataset] ?? r.dataset}, ${r.protocol.replace(/_/g, ' ')}${folds}${r.complete === false ? ', INCOMPLETE' : ''} | ${recipe} | ${r.results.map((st) => `${st.grid} ${pct(st.top1)}`).join(', ')} | ${pct(last.top1)} | ${best ? `${pct(best.top1)} (${best.grid} ${best.model})` : 'none'} | ${best ? `${(last.top1 - best.top1) * 100 >= 0 ? '+' : ''}${((last.top1 - best.top1) * 100).toFixed(1)}` : '-'} | ${(r.wallSeconds / 60).toFixed(0)} min |`,
    );
  }
  const dates = [...new Set(rows.map((r) => r.date))].join(', ');
  lines.push('', `${[...new Set(rows.map((r) => r.backend))].join(', ')} backend, ${dates}; difference = saved model minus best hand-tuned, in points.`);
  return lines.join('\n');
}

/** The README's one-line summary of the automatic recipe: the saved model's top-1 per dataset beside the best hand-tuned one. */
export function autoRecipeSummarySection(
  rows: AutoRecipeRow[] = readJson<{ rows: AutoRecipeRow[] }>('bench/auto-recipe-results.json').rows,
  hand: AccuracyRow[] = readJson<{ rows: AccuracyRow[] }>('bench/accuracy-results.json').rows,
): string {
  const parts = rows.map((r) => {
    const last = r.results[r.results.length - 1]!;
    const best = bestHandTuned(r.dataset, hand, r.complete === false ? r.foldIndices : undefined);
    const scope = r.folds ? (r.complete === false ? ` (fold ${r.foldIndices?.join(', ')} only)` : ` (${r.folds}-fold mean)`) : '';
    return `${AUTO_DATASET_NAMES[r.dataset] ?? r.dataset}${scope} ${pct(last.top1)}${best ? ` (hand-tuned ${pct(best.top1)})` : ''}`;
  });
  return `- **The automatic recipe** (\`npm run bench:auto\`: \`ske2grid train --data <dataset>\` and no other option; top-1 of the saved model): ${parts.join(', ')} ([table](https://github.com/ske2grid/ske2grid/blob/main/docs/benchmarks.md#the-automatic-recipe); UTKinect: Xia et al., CVPR Workshops 2012; JHMDB: Jhuang et al., ICCV 2013).`;
}

/** One row of `bench/hostile-results.json`: what a child process of `bench/hostile.ts` reports for one case. */
export interface HostileRow {
  name: string;
  input: string;
  /** Wall time of the refusing call, in ms. */
  ms: number;
  /** Resident memory just before the call, and the process peak after it, in MiB. */
  rssBeforeMiB: number;
  peakRssMiB: number;
  /** The error's class and the first 160 characters of its message ('' when nothing was thrown). */
  error: string;
  message: string;
}

/** The timed hostile inputs, from `bench/hostile-results.json`. */
export function hostileSection(
  file = readJson<{ date: string; machine: { cores: number; loadAverage: { start: number } }; rows: HostileRow[] }>('bench/hostile-results.json'),
): string {
  const lines = ['| input | refused after | resident memory (before -> peak) | error |', '|---|---|---|---|'];
  for (const r of file.rows) {
    const time = r.ms < 10 ? `${r.ms.toFixed(1)} ms` : `${Math.round(r.ms)} ms`;
    lines.push(`| ${r.input} | ${time} | ${r.rssBeforeMiB} -> ${r.peakRssMiB} MiB | ${r.error} \`${r.message.split(':')[0]}: ...\` |`);
  }
  lines.push(
    '',
    `One fresh Node process per case (cpu backend), ${file.date}, ${file.machine.cores} cores, load average ${file.machine.loadAverage.start.toFixed(1)} at the start; \`npm run bench:hostile\` writes \`bench/hostile-results.json\`.`,
  );
  return lines.join('\n');
}

/** What `docsTables` reads of `bench/results.json` (written by `npm run bench`). */
interface SpeedFile {
  machine: { cores: number; cpuModel: string; startedAt: string; loadAverage: { start: number; end: number | null } };
  pytorchAnchorSamplesPerSecond: Record<string, { inference1: number; inference16: number; training16: number }>;
  rows: {
    backend: string;
    environment: string;
    item: string;
    grid: string;
    frames: number | null;
    batch: number | null;
    microBatch: number | null;
    status: string;
    samplesPerSecond: number | null;
    achievedGflops: number | null;
    matMulGflops: number | null;
    ratioToMatMul: number | null;
  }[];
}

/** What `docsTables` reads of `bench/onnx-results.json` (written by `npm run bench -- --only onnx`). */
interface OnnxFile {
  machine: { cores: number; cpuModel: string; loadAverage: { start: number; end: number | null }; startedAt: string };
  rows: { runtime: string; batch: number; medianMs: number; samplesPerSecond: number; ratioToTfjsWasm: number; maxRelativeDiff: number }[];
}

/** The tfjs-or-ONNX-Runtime table of docs/deployment.md, from `bench/onnx-results.json`. */
export function onnxSection(file = readJson<OnnxFile>('bench/onnx-results.json')): string {
  const lines = ['| runtime | batch | ms / call | samples/s | vs tfjs-wasm | max rel. logit difference |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of file.rows) {
    lines.push(
      `| ${r.runtime} | ${r.batch} | ${Math.round(r.medianMs)} | ${r.samplesPerSecond.toFixed(2)} | ${r.ratioToTfjsWasm.toFixed(2)}x | ${r.maxRelativeDiff.toExponential(1)} |`,
    );
  }
  const load = file.machine.loadAverage;
  lines.push(
    '',
    `${file.machine.startedAt.slice(0, 10)}, ${file.machine.cores}-core ${file.machine.cpuModel}, load average ${load.start.toFixed(1)} at the start and ${load.end?.toFixed(1) ?? '-'} at the end.`,
  );
  return lines.join('\n');
}

const SPEED_BACKENDS: Record<string, string> = {
  wasm: 'wasm (Node)',
  'browser-wasm': 'wasm (Chromium)',
  cpu: 'cpu (Node)',
  webgl: 'webgl (Chromium, SwiftShader: CPU-emulated)',
  webgpu: 'webgpu (Chromium, SwiftShader: CPU-emulated)',
};

/** One measurement of `bench/results.json`, or undefined when it was not measured (skipped, failed). */
function speedRow(file: SpeedFile, backend: string, item: string, grid: string, batch?: number) {
  return file.rows.find((r) => r.backend === backend && r.item === item && r.grid === grid && (batch === undefined || r.batch === batch) && r.status === 'ok');
}

const rate = (v: number) => (v >= 1 ? v.toFixed(2) : v.toPrecision(2));

/** The speed table per backend, from `bench/results.json`. */
export function speedSection(file = readJson<SpeedFile>('bench/results.json')): string {
  const lines = [
    '| backend | matMul GFLOP/s | 5x5 inference b1 / b16, samples/s | 5x5 training step b16, samples/s | 6x6 training | 8x8 training |',
    '|---|---|---|---|---|---|',
  ];
  const backends = Object.keys(SPEED_BACKENDS).filter((b) => file.rows.some((r) => r.backend === b));
  for (const b of backends) {
    const matMuls = file.rows.filter((r) => r.backend === b && r.item === 'matMul' && r.matMulGflops !== null).map((r) => r.matMulGflops!);
    const [lo, hi] = [Math.min(...matMuls).toFixed(1), Math.max(...matMuls).toFixed(1)];
    const mm = matMuls.length === 0 ? '-' : lo === hi ? lo : `${lo}-${hi}`;
    const i1 = speedRow(file, b, 'inference', '5x5', 1);
    const i16 = speedRow(file, b, 'inference', '5x5', 16);
    const frames = i1?.frames ?? i16?.frames;
    const inference =
      i1 || i16 ? `${i1 ? rate(i1.samplesPerSecond!) : '-'} / ${i16 ? rate(i16.samplesPerSecond!) : '-'}${frames !== 100 ? ` (T = ${frames})` : ''}` : '-';
    const training = (grid: string, long: boolean) => {
      const t = speedRow(file, b, 'training', grid);
      if (!t) return '-';
      const split = t.microBatch !== null && t.batch !== null && t.microBatch < t.batch ? `${t.batch / t.microBatch} x ${t.microBatch} clips` : '';
      if (!long) return `${rate(t.samplesPerSecond!)}${split ? ` (${split})` : ''}`;
      return `${rate(t.samplesPerSecond!)} (${t.achievedGflops!.toFixed(1)} GFLOP/s, ${Math.round(100 * t.ratioToMatMul!)} % of matMul${split ? `; ${split}` : ''})`;
    };
    lines.push(`| ${SPEED_BACKENDS[b]} | ${mm} | ${inference} | ${training('5x5', true)} | ${training('6x6', false)} | ${training('8x8', false)} |`);
  }
  const load = file.machine.loadAverage;
  lines.push(
    '',
    `One run, ${file.machine.startedAt.slice(0, 10)}, ${file.machine.cores}-core ${file.machine.cpuModel} (load average ${load.start.toFixed(1)} at the start, ${load.end?.toFixed(1) ?? '-'} at the end); the matMul range spans the run's grid jobs; "-": not measured (too slow or too large for that backend within the run's budget).`,
  );
  return lines.join('\n');
}

/** The README's speed line: wasm in Node against the same run's matMul and the official PyTorch code, and ONNX Runtime. */
export function speedSummarySection(file = readJson<SpeedFile>('bench/results.json'), onnx = readJson<OnnxFile>('bench/onnx-results.json')): string {
  const train = speedRow(file, 'wasm', 'training', '5x5')!;
  const i1 = speedRow(file, 'wasm', 'inference', '5x5', 1)!;
  const i16 = speedRow(file, 'wasm', 'inference', '5x5', 16)!;
  const anchor = file.pytorchAnchorSamplesPerSecond['5']!;
  const share = (a: number, b: number) => `${Math.round((100 * a) / b)} %`;
  const ort = (batch: number) => onnx.rows.find((r) => r.runtime === 'onnxruntime-node' && r.batch === batch)!;
  return (
    `- **Speed** (\`npm run bench\`, official 5x5 model, T = 100, wasm in Node, ${file.machine.startedAt.slice(0, 10)}): a training step at batch 16 ` +
    `runs at ${share(train.achievedGflops!, train.matMulGflops!)} of the same run's matMul GFLOP/s and inference at ${share(i1.achievedGflops!, i1.matMulGflops!)} / ` +
    `${share(i16.achievedGflops!, i16.matMulGflops!)} (batch 1 / 16); that is ${share(train.samplesPerSecond!, anchor.training16)} (training) and ` +
    `${share(i1.samplesPerSecond!, anchor.inference1)} / ${share(i16.samplesPerSecond!, anchor.inference16)} (inference) of the official PyTorch code's samples/s on ` +
    `the same kind of CPU. The exported ONNX model in onnxruntime-node runs ${ort(1).ratioToTfjsWasm.toFixed(1)}x / ${ort(16).ratioToTfjsWasm.toFixed(1)}x ` +
    `as many samples/s as tfjs-wasm (batch 1 / 16, ${onnx.machine.startedAt.slice(0, 10)}, load average ${onnx.machine.loadAverage.start.toFixed(1)}). ` +
    'webgl and webgpu ran only on SwiftShader (CPU-emulated): no GPU machine was available, so there is no GPU number yet. ' +
    '[Tables and method](https://github.com/ske2grid/ske2grid/blob/main/docs/benchmarks.md#speed).'
  );
}

/** Where a formulation run was timed, for the tables. */
const FORMULATION_BACKENDS_NAMED: Record<string, string> = {
  cpu: 'cpu (Node)',
  wasm: 'wasm (Node)',
  'browser-wasm': 'wasm (Chromium)',
  webgl: 'webgl (Chromium, SwiftShader)',
  webgpu: 'webgpu (Chromium, SwiftShader)',
};

/** Per run: the median time of a variant of the whole model (CPU time in Node, wall-clock in Chromium) and its rate against matMul. */
function formulationTimes(run: FormulationRun, size: string) {
  const cpuClock = run.rows.some((r) => r.forward.some((t) => t.cpu !== null));
  const clock = (t: { wall: number; cpu: number | null }) => (cpuClock && t.cpu !== null ? t.cpu : t.wall);
  const reference = median(run.matMulGflops);
  const of = (variant: string) => {
    const row = run.rows.find((r) => r.item === 'model' && r.size === size && r.variant === variant && !r.error);
    if (!row || row.forward.length === 0) return undefined;
    const forward = median(row.forward.map(clock));
    const train = row.train.length ? median(row.train.map(clock)) : NaN;
    return {
      forward,
      train,
      forwardShare: row.forwardGflop / (forward / 1e3) / reference,
      trainShare: (3 * row.forwardGflop) / (train / 1e3) / reference,
      maxRelativeDifference: row.maxRelativeDifference,
    };
  };
  const label = run.rows.find((r) => r.item === 'model' && r.size === size)?.label ?? size;
  return { reference, cpuClock, label, conv2d: of('conv2d'), matmul: of('matmul'), compiled: of('compiled') };
}

/** The formulation tables (small model on every backend; the official model where it was run), from `bench/formulations-results.json`. */
export function formulationsSection(runs = readJson<{ runs: FormulationRun[] }>('bench/formulations-results.json').runs): string {
  const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(0));
  const share = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : `${Math.round(100 * v)} %`);
  const lines = [
    `The small model (${runs.map((r) => formulationTimes(r, 'small').label)[0] ?? ''}):`,
    '',
    '| backend | matMul GFLOP/s | `conv2d` forward / train ms | `matmul` forward / train ms | `matmul` slower by | `conv2d` share of matMul (forward / train) | compiled model speed-up | compiled logits, max rel. difference |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const run of runs) {
    const t = formulationTimes(run, 'small');
    if (!t.conv2d) continue;
    const slower = t.matmul ? `${(t.matmul.forward / t.conv2d.forward).toFixed(1)}x / ${(t.matmul.train / t.conv2d.train).toFixed(1)}x` : '-';
    const compiled = t.compiled ? `${(t.conv2d.forward / t.compiled.forward).toFixed(2)}x` : '-';
    lines.push(
      `| ${FORMULATION_BACKENDS_NAMED[run.job.backend] ?? run.job.backend} | ${t.reference.toFixed(2)} | ${ms(t.conv2d.forward)} / ${ms(t.conv2d.train)} | ${t.matmul ? `${ms(t.matmul.forward)} / ${ms(t.matmul.train)}` : '-'} | ${slower} | ${share(t.conv2d.forwardShare)} / ${share(t.conv2d.trainShare)} | ${compiled} | ${t.compiled?.maxRelativeDifference?.toExponential(1) ?? '-'} |`,
    );
  }
  const official = runs.map((run) => ({ run, t: formulationTimes(run, 'official') })).filter(({ t }) => t.conv2d);
  if (official.length) {
    lines.push('', `The official model with \`conv2d\` (${official[0]!.t.label}):`, '');
    lines.push('| backend | forward / train ms | share of matMul (forward / train) | compiled model speed-up |', '|---|---|---|---|');
    for (const { run, t } of official) {
      const compiled = t.compiled ? `${(t.conv2d!.forward / t.compiled.forward).toFixed(2)}x` : '-';
      lines.push(
        `| ${FORMULATION_BACKENDS_NAMED[run.job.backend] ?? run.job.backend} | ${ms(t.conv2d!.forward)} / ${ms(t.conv2d!.train)} | ${share(t.conv2d!.forwardShare)} / ${share(t.conv2d!.trainShare)} | ${compiled} |`,
      );
    }
  }
  const when = runs.map((r) => `${FORMULATION_BACKENDS_NAMED[r.job.backend] ?? r.job.backend} ${r.date} (load ${r.loadAverage.toFixed(1)})`).join(', ');
  lines.push('', `Node rows are per CPU second of the process, Chromium rows wall-clock; runs: ${when}.`);
  return lines.join('\n');
}

/** The message a bad config or layout gets, taken from the code. */
function messageOf(make: () => unknown): string {
  try {
    make();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('docs:tables: a config of the FAQ table was accepted; the table needs updating');
}

/** The FAQ's table of config errors: each message as the code writes it, with its cause. */
export function configErrorsSection(): string {
  const config = (c: Record<string, unknown>) => () => resolveConfig(c as Ske2GridConfig);
  const rows: [() => unknown, string][] = [
    [config({ numClass: 60 }), 'a misspelled field; the list shows the valid ones'],
    [config({ gridShape: [5, 6] }), 'only square grids exist in Ske2Grid'],
    [config({ gridShape: [4, 4] }), 'the grid must have room for every node'],
    [config({ layout: 'ntu25', stages: [17] }), '`stages` starts with the joint count of the layout: `[25]` or `[25, 36]` for NTU-25'],
    [config({ gridShape: [6, 6], stages: [17, 24] }), 'every later stage is the grid of an earlier progressive stage: 25, 36, 49, ...'],
    [config({ frames: 0 }), 'use the clip length, or `null` for clips of any length'],
    [config({ layout: 'openpose' }), 'not a built-in skeleton: pass `{ name, joints, edges }` (checked by `defineLayout`)'],
    [
      () => defineLayout({ name: 'two', joints: ['a', 'b'], edges: [[0, 2]] }),
      'an edge of a custom layout refers to a joint that does not exist (indices are 0-based)',
    ],
  ];
  return ['| message | cause and fix |', '|---|---|', ...rows.map(([make, cause]) => `| \`${messageOf(make)}\` | ${cause} |`)].join('\n');
}

/** The generated sections by name. */
export const SECTIONS: Record<string, () => string> = {
  demo: () => demoSection(),
  accuracy: () => accuracySection(),
  parity: () => paritySection(),
  'config-errors': configErrorsSection,
  hostile: () => hostileSection(),
  'auto-recipe': () => autoRecipeSection(),
  'auto-recipe-summary': () => autoRecipeSummarySection(),
  speed: () => speedSection(),
  'speed-summary': () => speedSummarySection(),
  formulations: () => formulationsSection(),
  onnx: () => onnxSection(),
};

const SECTION = /(<!-- docs:tables ([\w-]+) -->\n)([\s\S]*?)(<!-- \/docs:tables \2 -->)/g;

/** `markdown` with every generated section rewritten; throws on an unknown section name. */
export function regenerate(markdown: string, sections: Record<string, () => string> = SECTIONS): string {
  return markdown.replace(SECTION, (_all, open: string, name: string, _body: string, close: string) => {
    const make = sections[name];
    if (!make) throw new Error(`docs:tables: unknown section ${JSON.stringify(name)} (known: ${Object.keys(sections).join(', ')})`);
    return `${open}${make()}\n${close}`;
  });
}

/** Names of the generated sections of `markdown`. */
export function sectionNames(markdown: string): string[] {
  return [...markdown.matchAll(SECTION)].map((m) => m[2]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  setUpScript('docs:tables');
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const file of GENERATED_FILES) {
    const path = `${ROOT}${file}`;
    const text = readFileSync(path, 'utf8');
    const next = regenerate(text);
    if (next === text) continue;
    stale.push(file);
    if (!check) writeFileSync(path, next);
  }
  console.log(stale.length === 0 ? 'docs:tables: every generated section is up to date' : `docs:tables: ${check ? 'stale' : 'rewrote'} ${stale.join(', ')}`);
  if (check && stale.length > 0) process.exit(1);
}
