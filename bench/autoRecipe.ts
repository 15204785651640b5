/**
 * The automatic recipe measured: `ske2grid train --data <dataset>` with no option but the output
 * directory, on each shared dataset in turn (smallest first), one child process each; every finished
 * run is merged into `bench/auto-recipe-results.json` at once, and a table prints the automatic
 * result next to the best hand-tuned single-stream result of `bench/accuracy-results.json`.
 *
 *   npm run bench:auto [-- --datasets utkinect,sbu] [--out bench/auto-recipe-results.json]
 *   npm run bench:auto -- --table          (prints the table of the results file only)
 *   npm run bench:auto -- --collect --datasets sbu,nw_ucla
 *       (records what runs still going or stopped have finished: the stages and folds in their
 *        metrics.json files, marked `complete: false`, with the wall time so far)
 *
 * Datasets are read from ../shared/datasets/<name> (research use only; never copied here); the
 * trained models go to bench/.auto-recipe/<name> (git-ignored).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { autoRecipeSection, type AutoRecipeRow } from '../scripts/docsTables.js';

const ALL = ['utkinect', 'sbu', 'jhmdb_partial14', 'msr_action3d', 'nw_ucla'];
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const datasets = option('--datasets', ALL.join(',')).split(',');
const resultsFile = resolve(option('--out', 'bench/auto-recipe-results.json'));

type StageResult = AutoRecipeRow['results'][number];
type AutoRow = AutoRecipeRow;

function readRows(): AutoRow[] {
  return existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')).rows as AutoRow[]) : [];
}

function saveRow(row: AutoRow): void {
  const rows = readRows().filter((r) => r.dataset !== row.dataset);
  rows.push(row);
  rows.sort((a, b) => ALL.indexOf(a.dataset) - ALL.indexOf(b.dataset));
  writeFileSync(
    resultsFile,
    `${JSON.stringify({ note: 'Written by bench/autoRecipe.ts: ske2grid train with the automatic recipe, no other option.', rows }, null, 1)}\n`,
  );
}

function printTable(rows: AutoRow[]): void {
  console.log(autoRecipeSection(rows));
}

/** Runs `ske2grid train` for one dataset in a child process, streaming its output; resolves to its exit code. */
function train(dataset: string, out: string): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--data', `../shared/datasets/${dataset}`, '--out', out], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => done(code ?? 1));
  });
}

/** A results row from a run's `recipe.json` values and its measured stages. */
function rowOf(
  dataset: string,
  recipe: AutoRow & { folds: number },
  results: StageResult[],
  run: { wallSeconds: number; complete: boolean; foldIndices?: number[]; backend: string },
): AutoRow {
  return {
    dataset,
    protocol: recipe.protocol,
    folds: recipe.folds,
    clipLength: recipe.clipLength,
    batchSize: recipe.batchSize,
    rotationDegrees: recipe.rotationDegrees,
    stages: recipe.stages,
    results,
    wallSeconds: run.wallSeconds,
    complete: run.complete,
    ...(run.foldIndices ? { foldIndices: run.foldIndices } : {}),
    backend: run.backend,
    date: new Date().toISOString().slice(0, 10),
  };
}

/** A row from the out directory of a run that has not finished (or was stopped): its finished stages and folds. */
function collect(dataset: string): AutoRow | undefined {
  const out = resolve(`bench/.auto-recipe/${dataset}`);
  // A run of a protocol with folds writes its top-level recipe.json at the end: fold 0's has the same values.
  const recipeFile = [`${out}/recipe.json`, `${out}/fold-0/recipe.json`].find((f) => existsSync(f));
  if (recipeFile === undefined) return undefined;
  const recipe = JSON.parse(readFileSync(recipeFile, 'utf8'));
  const started = statSync(recipeFile).mtimeMs;
  const files = recipe.folds > 0 ? Array.from({ length: recipe.folds }, (_, k) => `${out}/fold-${k}/metrics.json`) : [`${out}/metrics.json`];
  const read = files.map((f) => (existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { stages: StageResult[]; backend: string }) : null));
  const runs = read.filter((r): r is NonNullable<typeof r> => r !== null);
  // Fold indices whose run finished every stage.
  const done = read.map((r, k) => (r !== null && r.stages.length === recipe.stages.length ? k : -1)).filter((k) => k >= 0);
  const full = done.map((k) => read[k] as NonNullable<(typeof read)[number]>);
  // With folds: the mean over the folds that finished every stage; one split: the stages it finished.
  const used = recipe.folds > 0 ? full : runs;
  if (used.length === 0 || used[0].stages.length === 0) return undefined;
  const results = used[0].stages.map((s, i) => ({
    grid: s.grid,
    top1: used.reduce((a, r) => a + r.stages[i].top1, 0) / used.length,
    meanClassAccuracy: used.reduce((a, r) => a + r.stages[i].meanClassAccuracy, 0) / used.length,
    trainSeconds: used.reduce((a, r) => a + r.stages[i].trainSeconds, 0),
  }));
  const complete = recipe.folds > 0 ? full.length === recipe.folds : results.length === recipe.stages.length;
  return rowOf(dataset, recipe, results, {
    wallSeconds: (Date.now() - started) / 1000,
    complete,
    ...(recipe.folds > 0 && !complete ? { foldIndices: done } : {}),
    backend: used[0].backend,
  });
}

async function main(): Promise<void> {
  if (args.includes('--table')) {
    printTable(readRows());
    return;
  }
  if (args.includes('--collect')) {
    for (const dataset of datasets) {
      const row = collect(dataset);
      if (!row) console.log(`${dataset}: no finished stage in bench/.auto-recipe/${dataset}`);
      else if (readRows().some((r) => r.dataset === dataset && r.complete !== false)) console.log(`${dataset}: a complete run is recorded already; kept`);
      else saveRow(row);
    }
    printTable(readRows());
    return;
  }
  for (const dataset of datasets) {
    if (!ALL.includes(dataset)) throw new Error(`--datasets: expected names among ${ALL.join(', ')}, got ${dataset}`);
    if (!existsSync(`../shared/datasets/${dataset}/manifest.json`)) {
      console.log(`${dataset}: ../shared/datasets/${dataset} not found, skipped`);
      continue;
    }
    const out = resolve(`bench/.auto-recipe/${dataset}`);
    const start = Date.now();
    const code = await train(dataset, out);
    const wallSeconds = (Date.now() - start) / 1000;
    if (code !== 0) {
      console.log(`${dataset}: ske2grid train exited with ${code} after ${wallSeconds.toFixed(0)} s; not recorded`);
      continue;
    }
    const recipe = JSON.parse(readFileSync(`${out}/recipe.json`, 'utf8'));
    const metrics = JSON.parse(readFileSync(`${out}/metrics.json`, 'utf8'));
    const results: StageResult[] = metrics.mean
      ? metrics.mean
      : metrics.stages.map((s: StageResult) => ({ grid: s.grid, top1: s.top1, meanClassAccuracy: s.meanClassAccuracy, trainSeconds: s.trainSeconds }));
    const row = rowOf(dataset, recipe, results, { wallSeconds, complete: true, backend: metrics.backend });
    saveRow(row);
    printTable([row]);
  }
  printTable(readRows());
}

await main();
