/**
 * Accuracy on real skeleton datasets: trains and evaluates Ske2Grid with a documented recipe and
 * prints a table (dataset, protocol, stream, grid, epochs, frames, top-1, mean class accuracy,
 * training time, samples/s); rows are merged into `bench/accuracy-results.json`.
 *
 *   npm run bench:accuracy -- --dataset nw_ucla [--stream j|b|jm|bm] [--grids 5,6] [--epochs 50,30]
 *     [--width 16] [--frames 32] [--batch 32] [--lr 0.1,0.025] [--rotation 45] [--clips 10] [--seed 0]
 *     [--fold K] [--backend wasm] [--out file.json] [--scores dir] [--checkpoints dir]
 *     [--resume checkpoint-dir] [--keep-arrangement]
 *   npm run bench:accuracy -- --dataset nw_ucla --ensemble j,b      (combines saved stream scores)
 *   npm run bench:accuracy -- --dataset sbu --fold-mean               (mean of the per-fold rows)
 *
 * Every trained stage is saved under `--checkpoints` (default bench/.checkpoints, git-ignored);
 * `--resume DIR` starts from such a checkpoint of the first grid (evaluated, not trained again), e.g.
 * to try another PLS stage; `--keep-arrangement` grows with `growSke2Grid({ keepArrangement: true })`.
 * Each dataset's recipe sets the defaults of epochs (per grid stage), batch, frames, width, test
 * clips, rotation and learning rate (`RECIPES` below); the results file records them per row.
 *
 * Datasets are read from ../shared/datasets/<name> (research use only; never copied here).
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Callback, type LayersModel } from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  buildSke2Grid,
  clipBatchDataset,
  datasetSplit,
  evaluateScores,
  evaluateSequences,
  findNormalizationJoints,
  fitSke2GridDataset,
  growSke2Grid,
  layoutFromManifest,
  pysklTestPipeline,
  pysklTrainPipeline,
  randomRotation,
  randomScale,
  type BlockSpec,
  type PysklPipelineOptions,
  type SkeletonFeature,
  type SkeletonSequence,
} from '../src/index.js';
import { loadModel, openSkeletonDataset, saveModel } from '../src/node.js';
import type { AccuracyRow } from '../scripts/docsTables.js';
import { setUpScript } from '../scripts/scriptSetup.js';

setUpScript('bench:accuracy');

/**
 * The recipe per dataset: protocol and training values (layouts, persons and the joints of the 3D
 * normalisation come from the manifests: `findNormalizationJoints` finds them by name).
 */
interface DatasetRecipe {
  protocol: string;
  /** Published results for orientation (see ../shared/datasets/README.md). */
  published: string;
  citation: string;
  /** The training recipe's defaults for this dataset (each overridable on the command line). */
  training: TrainingDefaults;
}

/** Recipe defaults: epochs and learning rate per grid stage (5x5 first, then each PLS stage), batch, frames, width, test clips, rotation. */
interface TrainingDefaults {
  epochs: number[];
  batch: number;
  frames: number;
  width: number;
  clips: number;
  /** Largest random rotation about each axis, in degrees. */
  rotation: number;
  /** Base learning rate per grid stage (the last one repeats). */
  learningRate: number[];
}

const RECIPES: Record<string, DatasetRecipe> = {
  nw_ucla: {
    protocol: 'cross_view',
    published: 'ST-GCN-class ~89-92, Shift-GCN 94.6, CTR-GCN 96.5',
    citation: 'Wang, Nie, Xia, Wu, Zhu, "Cross-view action modeling, learning and recognition", CVPR 2014',
    // Cross-view: strong rotations stand in for the unseen camera; 50 + 15 epochs fit ~1 h on one core.
    training: { epochs: [50, 30], batch: 32, frames: 32, width: 16, clips: 10, rotation: 45, learningRate: [0.1, 0.025] },
  },
  msr_action3d: {
    protocol: 'cross_subject_557',
    published: 'Actionlet 88.2, Lie group 89.48',
    citation: 'Li, Zhang, Liu, "Action recognition based on a bag of 3D points", CVPR Workshops 2010',
    // One camera, orientation-dependent gestures (high vs horizontal arm wave): no rotations.
    training: { epochs: [80, 20], batch: 16, frames: 32, width: 16, clips: 10, rotation: 0, learningRate: [0.05, 0.0125] },
  },
  sbu: {
    protocol: 'five_fold_cv',
    published: 'HCN 98.6 (5-fold)',
    citation:
      'Yun, Honorio, Chattopadhyay, Berg, Samaras, "Two-person interaction detection using body-pose features and multiple instance learning", CVPR Workshops 2012',
    // One fixed camera: no rotations (they cost ~30 points here); clips are short (median 23 frames).
    training: { epochs: [40, 15], batch: 16, frames: 16, width: 16, clips: 10, rotation: 0, learningRate: [0.025, 0.00625] },
  },
  utkinect: {
    protocol: 'cross_subject_odd_even',
    published: 'HOJ3D 90.92 (LOOCV)',
    citation: 'Xia, Chen, Aggarwal, "View invariant human action recognition using histograms of 3D joints", CVPR Workshops 2012',
    training: { epochs: [40, 20], batch: 16, frames: 32, width: 16, clips: 10, rotation: 15, learningRate: [0.1, 0.025] },
  },
};

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const datasetName = option('--dataset', 'nw_ucla');
const recipe = RECIPES[datasetName];
if (!recipe) throw new Error(`--dataset: expected one of ${Object.keys(RECIPES).join(', ')}, got ${datasetName}`);
const resultsFile = resolve(option('--out', 'bench/accuracy-results.json'));
const scoresDir = resolve(option('--scores', 'bench/.scores'));

/** A row of `bench/accuracy-results.json`: the fields the docs tables read, plus the recipe and the run. */
interface ResultRow extends AccuracyRow {
  frames: number;
  width: number;
  clips: number;
  /** Batch size, base learning rate (cosine decay) and largest random rotation (degrees) of the training. */
  batch: number | null;
  learningRate: number | null;
  rotation: number | null;
  samplesPerSecond: number;
  backend: string;
  seed: number;
  date: string;
}

function saveRow(row: ResultRow): void {
  const rows: ResultRow[] = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')).rows : [];
  const key = (r: ResultRow) => [r.dataset, r.protocol, r.fold, r.stream, r.model, r.grid].join('|');
  const kept = rows.filter((r) => key(r) !== key(row));
  kept.push(row);
  kept.sort((a, b) => key(a).localeCompare(key(b)));
  writeFileSync(resultsFile, `${JSON.stringify({ note: 'Written by bench/accuracy.ts; see README "Accuracy on real data".', rows: kept }, null, 1)}\n`);
}

function printRows(rows: ResultRow[]): void {
  const head = ['dataset', 'protocol', 'stream', 'model', 'grid', 'epochs', 'frames', 'top-1 %', 'mean class %', 'train s', 'samples/s'];
  const body = rows.map((r) => [
    r.dataset,
    r.protocol + (r.fold === null ? '' : ` fold ${r.fold}`),
    r.stream,
    r.model,
    r.grid,
    String(r.epochs),
    String(r.frames),
    (100 * r.top1).toFixed(1),
    (100 * r.meanClassAccuracy).toFixed(1),
    r.trainSeconds.toFixed(0),
    r.samplesPerSecond.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log([line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n'));
}

async function main(): Promise<void> {
  const dir = resolve(option('--data', `../shared/datasets/${datasetName}`));
  if (!existsSync(`${dir}/manifest.json`)) throw new Error(`dataset folder not found: ${dir} (expected ../shared/datasets/${datasetName})`);
  const foldArg = option('--fold', '');
  const fold = foldArg === '' ? null : Number(foldArg);
  const data = await openSkeletonDataset(dir);
  const numClasses = data.manifest.classes.length;
  const ensemble = option('--ensemble', '');
  const tag = `${datasetName}-${recipe.protocol}${fold === null ? '' : `-fold${fold}`}`;

  if (ensemble !== '') {
    // Multi-stream ensemble: sum of the streams' saved clip-averaged probabilities.
    const streams = ensemble.split(',');
    const parts = streams.map(
      (s) =>
        JSON.parse(readFileSync(`${scoresDir}/${tag}-${s}.json`, 'utf8')) as {
          model: string;
          grid: string;
          probabilities: number[][];
          labels: number[];
          epochs: number;
          frames: number;
          width: number;
          clips: number;
          batch?: number | null;
          learningRate?: number | null;
          rotation?: number | null;
        },
    );
    const summed = parts[0].probabilities.map((row, i) => row.map((_, k) => parts.reduce((a, p) => a + p.probabilities[i][k], 0)));
    const result = evaluateScores(summed, parts[0].labels);
    const row: ResultRow = {
      dataset: datasetName,
      protocol: recipe.protocol,
      fold,
      stream: streams.join('+'),
      model: parts[0].model,
      grid: parts[0].grid,
      epochs: parts[0].epochs,
      frames: parts[0].frames,
      width: parts[0].width,
      clips: parts[0].clips,
      batch: parts[0].batch ?? null,
      learningRate: parts[0].learningRate ?? null,
      rotation: parts[0].rotation ?? null,
      top1: result.top[1],
      meanClassAccuracy: result.meanClassAccuracy,
      trainSeconds: 0,
      samplesPerSecond: 0,
      backend: '-',
      seed: 0,
      date: new Date().toISOString().slice(0, 10),
    };
    saveRow(row);
    printRows([row]);
    await data.close();
    return;
  }

  if (args.includes('--fold-mean')) {
    // Cross-validation summary: the mean of the per-fold rows already in the results file.
    const folds = data.manifest.splits[recipe.protocol]?.folds?.length ?? 0;
    const rows: ResultRow[] = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')).rows : [];
    const perFold = rows.filter((r) => r.dataset === datasetName && r.protocol === recipe.protocol && r.fold !== null);
    const groups = new Map<string, ResultRow[]>();
    for (const r of perFold) groups.set(`${r.stream}|${r.model}|${r.grid}`, [...(groups.get(`${r.stream}|${r.model}|${r.grid}`) ?? []), r]);
    const means: ResultRow[] = [];
    for (const [key, group] of groups) {
      if (group.length !== folds) {
        console.log(`${key}: ${group.length} of ${folds} folds in ${resultsFile}; run the others with --fold K`);
        continue;
      }
      const mean = (f: (r: ResultRow) => number) => group.reduce((a, r) => a + f(r), 0) / group.length;
      const row: ResultRow = {
        ...group[0],
        fold: null,
        protocol: `${recipe.protocol} (mean of ${folds})`,
        top1: mean((r) => r.top1),
        meanClassAccuracy: mean((r) => r.meanClassAccuracy),
        trainSeconds: group.reduce((a, r) => a + r.trainSeconds, 0),
        samplesPerSecond: mean((r) => r.samplesPerSecond),
        date: new Date().toISOString().slice(0, 10),
      };
      saveRow(row);
      means.push(row);
    }
    if (means.length) printRows(means);
    await data.close();
    return;
  }

  const split = datasetSplit(data.manifest, recipe.protocol, fold ?? undefined);
  const backend = option('--backend', 'wasm');
  await tf.setBackend(backend);
  await tf.ready();
  const stream = option('--stream', 'j') as SkeletonFeature;
  const grids = option('--grids', '5').split(',').map(Number);
  const d = recipe.training;
  const epochs = option('--epochs', grids.map((_, i) => d.epochs[Math.min(i, d.epochs.length - 1)]).join(','))
    .split(',')
    .map(Number);
  if (epochs.length !== grids.length) throw new Error(`--epochs: expected one count per grid (${grids.length}), got ${epochs.join(',')}`);
  const width = Number(option('--width', String(d.width)));
  const frames = Number(option('--frames', String(d.frames)));
  const seed = Number(option('--seed', '0'));
  const clips = Number(option('--clips', String(d.clips)));
  const batchSize = Number(option('--batch', String(d.batch)));
  const learningRates = option('--lr', grids.map((_, i) => d.learningRate[Math.min(i, d.learningRate.length - 1)]).join(','))
    .split(',')
    .map(Number);
  if (learningRates.length !== grids.length) throw new Error(`--lr: expected one rate per grid (${grids.length}), got ${learningRates.join(',')}`);
  const rotation = Number(option('--rotation', String(d.rotation)));

  const layout = layoutFromManifest(data.manifest);
  const persons = data.manifest.format.num_persons;
  const pipeline: PysklPipelineOptions = {
    kind: '3d',
    clipLen: frames,
    persons,
    feats: [stream],
    layout,
    normalize3D: findNormalizationJoints(layout),
  };
  const train = clipBatchDataset(data, {
    indices: split.train,
    numClasses,
    batchSize,
    seed,
    clips: pysklTrainPipeline({
      ...pipeline,
      augmentations: [
        (s: SkeletonSequence, r) => randomRotation(s, r, { maxDegrees: rotation }),
        (s: SkeletonSequence, r) => randomScale(s, r, { range: [0.9, 1.1] }),
      ],
    }),
  });
  const test = pysklTestPipeline({ ...pipeline, numClips: clips });
  const blocks: BlockSpec[] = [1, 1, 1, 1, 2, 2, 2, 4, 4, 4].map((m, i) => ({ filters: m * width, stride: i === 4 || i === 7 ? 2 : 1 }));
  // --resume DIR: start from a saved checkpoint of the first grid (its stage is evaluated, not trained).
  const resume = option('--resume', '');
  const checkpoints = resolve(option('--checkpoints', 'bench/.checkpoints'));
  const keepArrangement = args.includes('--keep-arrangement');
  let model: LayersModel = resume
    ? await loadModel(resolve(resume))
    : buildSke2Grid({
        layout,
        gridShape: [grids[0], grids[0]],
        persons,
        frames,
        inChannels: 3,
        numClasses,
        blocks,
        seed,
      });
  const rows: ResultRow[] = [];
  for (let stage = 0; stage < grids.length; stage++) {
    if (stage > 0) {
      const grown = growSke2Grid(model, { gridShape: [grids[stage], grids[stage]], keepArrangement });
      (model.optimizer as tf.Optimizer | undefined)?.dispose();
      model.dispose();
      model = grown;
    }
    const start = Date.now();
    const trainStage = !(resume && stage === 0);
    if (trainStage)
      await fitSke2GridDataset(model, train, {
        epochs: epochs[stage],
        learningRate: learningRates[stage],
        callbacks: [
          new (class extends Callback {
            override async onEpochEnd(epoch: number, logs?: Record<string, unknown>): Promise<void> {
              const num = async (v: unknown) => (typeof v === 'number' ? v : ((await (v as tf.Tensor).data())[0] as number));
              const loss = await num(logs?.loss);
              const acc = await num(logs?.acc);
              const elapsed = (Date.now() - start) / 1000;
              console.log(
                `${grids[stage]}x${grids[stage]} epoch ${epoch + 1}/${epochs[stage]} loss ${loss.toFixed(3)} train acc ${(100 * acc).toFixed(1)} % ${(elapsed / (epoch + 1)).toFixed(0)} s/epoch`,
              );
            }
          })(),
        ],
      });
    const trainSeconds = (Date.now() - start) / 1000;
    if (trainStage) await saveModel(model, `${checkpoints}/${tag}-${stream}-${grids[stage]}x${grids[stage]}`);
    const result = await evaluateSequences(model, data, { indices: split.test, clips: test });
    const row: ResultRow = {
      dataset: datasetName,
      protocol: recipe.protocol,
      fold,
      stream,
      model: stage === 0 ? 'Ske2Grid' : keepArrangement ? 'Ske2Grid PLS (kept arrangement)' : 'Ske2Grid PLS',
      grid: `${grids[stage]}x${grids[stage]}`,
      epochs: epochs[stage],
      frames,
      width,
      clips,
      batch: batchSize,
      learningRate: learningRates[stage],
      rotation,
      top1: result.top[1],
      meanClassAccuracy: result.meanClassAccuracy,
      trainSeconds,
      samplesPerSecond: (epochs[stage] * split.train.length) / trainSeconds,
      backend,
      seed,
      date: new Date().toISOString().slice(0, 10),
    };
    rows.push(row);
    if (trainStage) saveRow(row); // a resumed stage is only re-evaluated
    mkdirSync(scoresDir, { recursive: true });
    if (stage === grids.length - 1) {
      writeFileSync(`${scoresDir}/${tag}-${stream}.json`, JSON.stringify({ ...row, probabilities: result.probabilities, labels: result.labels }));
    }
    printRows(rows);
  }
  console.log(`Dataset: ${recipe.citation}. Published (${recipe.protocol}): ${recipe.published}.`);
  (model.optimizer as tf.Optimizer | undefined)?.dispose();
  model.dispose();
  await data.close();
}

await main();
