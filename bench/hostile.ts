/**
 * Hostile and careless inputs timed: each case of `docs/limits.md` whose danger was time or memory
 * (a sparse 2.4 GB sample, shared references in a PYSKL pickle, giant configs, a checkpoint linked
 * to `/dev/zero`, a FIFO, a sparse 1.5 GB `weights.bin`, a huge streaming window) runs in a fresh
 * Node process. The child prepares the input, then times the one call that must refuse it and reads
 * its peak resident memory; the parent writes `bench/hostile-results.json` and prints a table.
 *
 *   npm run bench:hostile [-- --only pysklShared3M] [--out bench/hostile-results.json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { buildSke2Grid, readPysklAnnotations, Ske2GridError, StreamingRecognizer } from '../src/index.js';
import { loadModel, openSkeletonDataset, readPysklFile, saveModel } from '../src/node.js';
import { sharedAnnotationPickle } from '../test/pickle/pickleBuilder.js';
import { type HostileRow } from '../scripts/docsTables.js';
import { machineInfo } from './machine.js';
import { processStatus } from './processMemory.js';

/** One case: `prepare` builds the input in `dir` (untimed) and returns the call that must refuse it. */
interface HostileCase {
  name: string;
  input: string;
  prepare: (dir: string) => Promise<() => Promise<unknown>>;
}

/** A tiny Ske2Grid checkpoint saved in `dir/ckpt`. */
async function checkpoint(dir: string): Promise<string> {
  const model = buildSke2Grid({ layout: 'coco', frames: 8, persons: 1, numClasses: 3, blocks: [{ filters: 4, stride: 1 }], seed: 0 });
  const out = join(dir, 'ckpt');
  await saveModel(model, out);
  model.dispose();
  return out;
}

const CASES: HostileCase[] = [
  {
    name: 'datasetSample2GB',
    input: 'a dataset sample of 2.4 GB (sparse file, size matching the manifest)',
    prepare: async (dir) => {
      const frames = 600_000_000;
      const manifest = {
        name: 'huge',
        classes: ['a', 'b'],
        joints: { names: ['root'], edges: [], center_joint: 0 },
        format: { data_file: 'data.f32', dtype: 'float32', byte_order: 'little', num_persons: 1, num_joints: 1, coord_dims: 1 },
        splits: {},
        samples: [{ id: 'big', label: 0, frames, frame_offset: 0, byte_offset: 0 }],
      };
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
      writeFileSync(join(dir, 'data.f32'), '');
      truncateSync(join(dir, 'data.f32'), frames * 4);
      return async () => (await openSkeletonDataset(dir)).get(0);
    },
  },
  {
    name: 'pysklShared20k',
    input: 'a PYSKL pickle (120 KB) referencing one 300-frame annotation 20,000 times',
    prepare: async () => {
      const bytes = sharedAnnotationPickle(20_000, 300);
      return async () => readPysklAnnotations(bytes);
    },
  },
  {
    name: 'pysklShared3M',
    input: 'a PYSKL pickle file (15 MB) referencing one annotation 3,000,000 times',
    prepare: async (dir) => {
      const file = join(dir, 'shared.pkl');
      writeFileSync(file, sharedAnnotationPickle(3_000_000, 1));
      return async () => readPysklFile(file);
    },
  },
  { name: 'numClasses1e9', input: '`buildSke2Grid({ numClasses: 1e9 })`', prepare: async () => async () => buildSke2Grid({ numClasses: 1e9 }) },
  { name: 'grid10000', input: '`buildSke2Grid({ gridShape: [10000, 10000] })`', prepare: async () => async () => buildSke2Grid({ gridShape: [10000, 10000] }) },
  { name: 'grid100', input: '`buildSke2Grid({ gridShape: [100, 100] })`', prepare: async () => async () => buildSke2Grid({ gridShape: [100, 100] }) },
  { name: 'inChannels1e9', input: '`buildSke2Grid({ inChannels: 1e9 })`', prepare: async () => async () => buildSke2Grid({ inChannels: 1e9 }) },
  {
    name: 'weightsDevZero',
    input: '`loadModel` with `weights.bin` a symbolic link to `/dev/zero`',
    prepare: async (dir) => {
      const ckpt = await checkpoint(dir);
      rmSync(join(ckpt, 'weights.bin'));
      symlinkSync('/dev/zero', join(ckpt, 'weights.bin'));
      return async () => loadModel(ckpt);
    },
  },
  {
    name: 'modelJsonFifo',
    input: '`loadModel` with `model.json` a FIFO',
    prepare: async (dir) => {
      const ckpt = await checkpoint(dir);
      rmSync(join(ckpt, 'model.json'));
      execFileSync('mkfifo', [join(ckpt, 'model.json')]);
      return async () => loadModel(ckpt);
    },
  },
  {
    name: 'weightsSparse1500MB',
    input: '`loadModel` with a 1.5 GB sparse `weights.bin`',
    prepare: async (dir) => {
      const ckpt = await checkpoint(dir);
      truncateSync(join(ckpt, 'weights.bin'), 1.5e9);
      return async () => loadModel(ckpt);
    },
  },
  {
    name: 'windowFrames1e8',
    input: '`new StreamingRecognizer(model, { windowFrames: 1e8 })`',
    prepare: async () => {
      const model = buildSke2Grid({ layout: 'coco', frames: 8, persons: 1, numClasses: 3, blocks: [{ filters: 4, stride: 1 }], seed: 0 });
      return async () => new StreamingRecognizer(model, { windowFrames: 1e8 });
    },
  },
];

const MiB = 2 ** 20;

async function runChild(name: string): Promise<void> {
  const spec = CASES.find((c) => c.name === name);
  if (spec === undefined) throw new Error(`unknown case ${name}`);
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'ske2grid-hostile-'));
  try {
    const call = await spec.prepare(dir);
    const before = processStatus('self');
    const start = performance.now();
    let error = '';
    let message = '';
    try {
      await call();
    } catch (e) {
      error = e instanceof Ske2GridError ? 'Ske2GridError' : e instanceof Error ? e.constructor.name : typeof e;
      message = (e instanceof Error ? e.message : String(e)).replaceAll(dir, '<dir>').slice(0, 160);
    }
    const ms = performance.now() - start;
    const after = processStatus('self');
    const row: HostileRow = {
      name,
      input: spec.input,
      ms: Math.round(ms * 10) / 10,
      rssBeforeMiB: Math.round((before?.rssBytes ?? NaN) / MiB),
      peakRssMiB: Math.round((after?.peakRssBytes ?? NaN) / MiB),
      error,
      message,
    };
    process.stdout.write(`HOSTILE_ROW ${JSON.stringify(row)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runParent(): void {
  const args = process.argv.slice(2);
  const option = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const only = option('--only')?.split(',');
  const out = resolve(option('--out') ?? 'bench/hostile-results.json');
  const self = fileURLToPath(import.meta.url);
  const rows: HostileRow[] = [];
  for (const spec of CASES.filter((c) => only === undefined || only.includes(c.name))) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--case', spec.name], { encoding: 'utf8', timeout: 120_000 });
    const line = child.stdout.split('\n').find((l) => l.startsWith('HOSTILE_ROW '));
    if (line === undefined) {
      rows.push({
        name: spec.name,
        input: spec.input,
        ms: NaN,
        rssBeforeMiB: NaN,
        peakRssMiB: NaN,
        error: `child failed (${child.status ?? child.signal})`,
        message: child.stderr.slice(-160),
      });
    } else {
      rows.push(JSON.parse(line.slice('HOSTILE_ROW '.length)) as HostileRow);
    }
    const r = rows[rows.length - 1]!;
    console.log(
      `${r.name.padEnd(22)} ${String(r.ms).padStart(8)} ms  rss ${r.rssBeforeMiB} -> peak ${r.peakRssMiB} MiB  ${r.error}: ${r.message.slice(0, 90)}`,
    );
  }
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ note: 'Written by bench/hostile.ts: one fresh Node process per case, cpu backend.', machine: machineInfo(), date: new Date().toISOString().slice(0, 10), rows }, null, 1)}\n`,
  );
  console.log(`wrote ${out}`);
}

if (process.argv.includes('--case')) await runChild(process.argv[process.argv.indexOf('--case') + 1]!);
else runParent();
